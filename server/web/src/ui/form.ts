// Shared pieces of the app's forms: labelled fields, the error line, and the busy state on submit.
import { h } from '../dom.ts'

/** field renders a label with its input; `hint` is linked to the input for screen readers. */
export function field(label: string, input: HTMLInputElement | HTMLSelectElement, hint?: string): HTMLElement {
  const id = `f-${input.name}-${Math.random().toString(36).slice(2, 8)}`
  input.id = id
  const hintNode = hint ? h('small', { class: 'field__hint', id: `${id}-hint` }, hint) : null
  if (hintNode) input.setAttribute('aria-describedby', hintNode.id)
  return h('div', { class: 'field' }, [h('label', { for: id }, label), input, hintNode])
}

/** formError renders the region where a form's error appears; empty until setError fills it. */
export function formError(): HTMLElement {
  return h('p', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true })
}

/** setError shows a message in a form's error region, or hides it for null. */
export function setError(region: HTMLElement, message: string | null): void {
  region.textContent = message ?? ''
  region.hidden = message === null
}

/**
 * submitting disables a form's submit button while `work` runs, so a double click does not send twice.
 * It returns what `work` returns and rethrows what it throws.
 */
export async function submitting<T>(form: HTMLFormElement, work: () => Promise<T>): Promise<T> {
  const button = form.querySelector<HTMLButtonElement>('button[type=submit]')
  if (button) button.disabled = true
  form.setAttribute('aria-busy', 'true')
  try {
    return await work()
  } finally {
    if (button) button.disabled = false
    form.removeAttribute('aria-busy')
  }
}

/** looksLikeEmail is a friendly early check; the server is the judge. */
export function looksLikeEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@]+$/.test(value)
}
