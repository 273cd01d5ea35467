// Small DOM construction helpers: the client has no framework, so every view is built from these.

type AttrValue = string | number | boolean | null | undefined
type Handler = (event: Event) => void
export type Attrs = Record<string, AttrValue | Handler>
export type Child = Node | string | null | undefined | false

/**
 * h creates an element. Attributes named `on<event>` with a function become listeners; `true` sets an
 * empty attribute; `false`, null and undefined leave it out. String children become text nodes, so
 * user-provided text is never parsed as HTML.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  children: Child | Child[] = [],
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === 'function') {
      element.addEventListener(name.slice(2), value)
    } else if (name === 'style' && typeof value === 'string') {
      // Through CSSOM: the Content-Security-Policy (style-src 'self') blocks style attributes.
      element.style.cssText = value
    } else if (value === true) {
      element.setAttribute(name, '')
    } else if (value !== false && value !== null && value !== undefined) {
      element.setAttribute(name, String(value))
    }
  }
  append(element, children)
  return element
}

/** append adds children (skipping empty ones) to a parent. */
export function append(parent: Node, children: Child | Child[]): void {
  for (const child of Array.isArray(children) ? children : [children]) {
    if (child === null || child === undefined || child === false) continue
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child)
  }
}

/** setChildren replaces all children of a parent. */
export function setChildren(parent: Element, children: Child | Child[]): void {
  parent.replaceChildren()
  append(parent, children)
}

/** toggleAttr sets or removes a boolean attribute, returning nothing so it reads as a statement. */
export function toggleAttr(element: Element, name: string, on: boolean): void {
  if (on) element.setAttribute(name, '')
  else element.removeAttribute(name)
}

/** formValues reads a form's named text fields as trimmed strings (passwords are left untrimmed). */
export function formValues(form: HTMLFormElement): Record<string, string> {
  const values: Record<string, string> = {}
  for (const [name, value] of new FormData(form)) {
    if (typeof value !== 'string') continue
    const field = form.elements.namedItem(name)
    const isPassword = field instanceof HTMLInputElement && field.type === 'password'
    values[name] = isPassword ? value : value.trim()
  }
  return values
}
