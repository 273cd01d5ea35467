// Owns the address bar: matches client routes, applies access rules, and mounts one page at a time.
import { ApiError, isAbort } from './api.ts'
import { appNeedsOwner, currentUserOrNull, isManager, setCurrentUser } from './session.ts'

export interface PageContext {
  params: Record<string, string>
  query: URLSearchParams
  /** Aborted when the page is left: pages stop media, timers and requests on it. */
  signal: AbortSignal
}

/**
 * Who may open a route. `setup` is only for the first run; `anonymous` pages (sign-in) send signed-in
 * users on; `public` pages (a meeting link) serve guests and employees alike.
 */
export type Access = 'setup' | 'anonymous' | 'public' | 'user' | 'manager' | 'owner'

export interface Route {
  pattern: string
  access: Access
  render: (ctx: PageContext) => Node | Promise<Node>
}

interface Match {
  route: Route
  params: Record<string, string>
}

let routes: Route[] = []
let outlet: HTMLElement
let renderFailure: (error: unknown, retry: () => void) => Node
let current: AbortController | null = null

/** startRouter mounts the page for the current address and follows history navigation from then on. */
export function startRouter(options: {
  outlet: HTMLElement
  routes: Route[]
  renderFailure: (error: unknown, retry: () => void) => Node
}): void {
  outlet = options.outlet
  routes = options.routes
  renderFailure = options.renderFailure
  window.addEventListener('popstate', () => void show())
  // In-app links carry data-nav: they change the page without reloading the bundle.
  document.addEventListener('click', (event) => {
    const link = (event.target as Element | null)?.closest?.('a[data-nav]')
    if (!(link instanceof HTMLAnchorElement)) return
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return
    event.preventDefault()
    navigate(link.pathname + link.search)
  })
  void show()
}

/** navigate changes the address and shows its page; `replace` keeps the back button from returning here. */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', path)
  else history.pushState(null, '', path)
  void show()
}

/**
 * signInAgain forgets the user and opens the sign-in page, coming back here afterwards. Pages call it
 * when the server answers 401: the session expired or was revoked.
 */
export function signInAgain(): void {
  setCurrentUser(null)
  navigate(`/signin?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true })
}

/** refresh re-renders the current page (after a language switch). */
export function refresh(): void {
  void show()
}

function match(pathname: string): Match | null {
  const parts = pathname.replace(/\/+$/, '').split('/').slice(1)
  for (const route of routes) {
    const patternParts = route.pattern.replace(/\/+$/, '').split('/').slice(1)
    if (patternParts.length !== parts.length) continue
    const params: Record<string, string> = {}
    const matched = patternParts.every((part, index) => {
      const actual = parts[index] ?? ''
      if (part.startsWith(':')) {
        if (!actual) return false
        params[part.slice(1)] = decodeURIComponent(actual)
        return true
      }
      return part === actual
    })
    if (matched) return { route, params }
  }
  return null
}

/** redirectFor applies the access rules; it returns where to go instead, or null to stay. */
async function redirectFor(route: Route, signal: AbortSignal): Promise<string | null> {
  const needsOwner = await appNeedsOwner(signal)
  if (needsOwner) return route.access === 'setup' ? null : '/setup'
  if (route.access === 'setup') return '/'
  if (route.access === 'public') return null
  const user = await currentUserOrNull(signal)
  if (route.access === 'anonymous') return user ? '/rooms' : null
  if (!user) return location.pathname === '/' ? '/signin' : `/signin?next=${encodeURIComponent(location.pathname + location.search)}`
  if (route.access === 'manager' && !isManager(user)) return '/rooms'
  if (route.access === 'owner' && user.role !== 'owner') return '/rooms'
  return null
}

async function show(): Promise<void> {
  current?.abort()
  const controller = new AbortController()
  current = controller
  const { signal } = controller
  const found = match(location.pathname) ?? match('/')
  if (!found) return
  try {
    const redirect = await redirectFor(found.route, signal)
    if (signal.aborted) return
    if (redirect) {
      navigate(redirect, { replace: true })
      return
    }
    const page = await found.route.render({
      params: found.params,
      query: new URLSearchParams(location.search),
      signal,
    })
    if (signal.aborted) return
    outlet.replaceChildren(page)
    window.scrollTo(0, 0)
  } catch (error) {
    if (signal.aborted || isAbort(error)) return
    if (error instanceof ApiError && error.status === 401 && found.route.access !== 'public') {
      signInAgain()
      return
    }
    outlet.replaceChildren(renderFailure(error, () => void show()))
  }
}
