// Brief messages at the bottom of the meeting ("Microphone is unavailable", "Reconnected").
import { h } from '../dom.ts'

const visibleMs = 4500

export interface Toasts {
  root: HTMLElement
  show(message: string): void
}

/** createToasts builds the live region; each message disappears by itself. */
export function createToasts(): Toasts {
  const root = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' })
  return {
    root,
    show(message) {
      // The same message twice in a row (two failed clicks) is shown once.
      if (root.lastElementChild?.textContent === message) return
      const toast = h('div', { class: 'toast', 'data-testid': 'toast' }, message)
      root.append(toast)
      setTimeout(() => toast.remove(), visibleMs)
    },
  }
}
