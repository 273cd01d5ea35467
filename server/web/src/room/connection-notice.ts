// The "your connection is poor" notice: what is wrong with this user's connection and what Veche did
// about it. Hidden while the connection is fine; the user may hide it until the cause changes.
import { h } from '../dom.ts'
import { icon } from '../icons.ts'
import { t, type MessageKey } from '../i18n/index.ts'
import type { ConnectionNotice } from '../meeting/meeting.ts'

const bodies: Record<ConnectionNotice, MessageKey> = {
  audioOnly: 'quality.audioOnly',
  videoLowered: 'quality.videoLowered',
  uplinkPoor: 'quality.uplinkPoor',
}

export interface ConnectionNoticeView {
  root: HTMLElement
  /** show displays `notice` (null hides it); a notice the user hid stays hidden until it changes. */
  show(notice: ConnectionNotice | null): void
}

export function createConnectionNotice(): ConnectionNoticeView {
  const body = h('span', { class: 'quality-notice__body' })
  let shown: ConnectionNotice | null = null
  let dismissed: ConnectionNotice | null = null
  const close = h('button', { type: 'button', class: 'quality-notice__close', 'aria-label': t('quality.dismiss'), title: t('quality.dismiss') }, [icon('close')])
  const root = h('div', { class: 'quality-notice', 'data-testid': 'quality-notice', role: 'status', 'aria-live': 'polite', hidden: true }, [
    icon('warning'),
    h('div', { class: 'quality-notice__text' }, [h('strong', {}, t('quality.noticeTitle')), body]),
    close,
  ])
  close.addEventListener('click', () => {
    dismissed = shown
    root.hidden = true
  })
  return {
    root,
    show(notice) {
      if (notice !== dismissed) dismissed = null
      shown = notice
      root.hidden = notice === null || notice === dismissed
      if (notice) {
        root.dataset.notice = notice
        body.textContent = t(bodies[notice])
      }
    },
  }
}
