// The banner over the meeting that says the connection is not well: reconnecting, unreachable, media restart.
import { h } from '../dom.ts'
import { icon } from '../icons.ts'
import { t } from '../i18n/index.ts'
import type { ConnectionStatus } from '../meeting/meeting.ts'

export interface StatusBanner {
  root: HTMLElement
  show(status: ConnectionStatus): void
}

/** createStatusBanner builds the banner (hidden while connected); `onRetry` skips the reconnect wait. */
export function createStatusBanner(onRetry: () => void): StatusBanner {
  const text = h('span', { class: 'banner__text' })
  const retry = h('button', { type: 'button', class: 'btn btn--small btn--light' }, t('common.retryNow'))
  retry.addEventListener('click', onRetry)
  const root = h('div', { class: 'banner', 'data-testid': 'status-banner', role: 'status', 'aria-live': 'polite', hidden: true }, [
    h('span', { class: 'banner__spinner', 'aria-hidden': 'true' }),
    text,
    retry,
  ])
  return {
    root,
    show(status) {
      root.dataset.status = status
      root.hidden = status === 'connected'
      retry.hidden = status !== 'reconnecting' && status !== 'unreachable'
      root.classList.toggle('banner--error', status === 'unreachable')
      if (status === 'unreachable') root.prepend(icon('warning'))
      else root.querySelector('.icon')?.remove()
      const messages = {
        connecting: t('status.connecting'),
        connected: '',
        reconnecting: t('status.reconnecting'),
        unreachable: t('status.unreachable'),
        mediaRestarting: t('status.mediaRestarting'),
      } satisfies Record<ConnectionStatus, string>
      text.textContent = messages[status]
    },
  }
}
