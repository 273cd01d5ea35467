// A one-time notice carried across a navigation (for example "the meeting was ended" on /rooms).
import { h } from '../dom.ts'

let pending: string | null = null

/** setFlash stores a message for the next page that shows flashes. */
export function setFlash(message: string): void {
  pending = message
}

/** takeFlash renders the pending message once, or returns null when there is none. */
export function takeFlash(): HTMLElement | null {
  const message = pending
  pending = null
  return message ? h('p', { class: 'notice', role: 'status', 'data-testid': 'flash' }, message) : null
}
