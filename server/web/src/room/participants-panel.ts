// Who is in the meeting: the list with guest marks and microphone state, and the invite link.
import type { PeerInfo } from '../../../signaling/protocol.ts'
import { h } from '../dom.ts'
import { icon } from '../icons.ts'
import { t } from '../i18n/index.ts'
import { copyText } from '../ui/clipboard.ts'
import { avatarHue, initials } from '../ui/initials.ts'
import { createPanel, type PanelFrame } from './panel.ts'

export interface ParticipantRow {
  info: PeerInfo
  self: boolean
  micOff: boolean
}

export interface ParticipantsPanel {
  frame: PanelFrame
  render(rows: ParticipantRow[]): void
}

function row(entry: ParticipantRow): HTMLElement {
  const avatar = h('span', { class: 'avatar avatar--small', 'aria-hidden': 'true' }, initials(entry.info.displayName))
  avatar.style.setProperty('--hue', String(avatarHue(entry.info.displayName)))
  const guest = entry.info.kind === 'guest'
  return h('li', { class: 'person', 'data-testid': 'participant', 'data-peer-id': entry.info.id, 'data-guest': guest, 'data-self': entry.self }, [
    avatar,
    h('span', { class: 'person__name' }, [
      entry.info.displayName,
      entry.self ? h('span', { class: 'person__you' }, ` (${t('participants.you')})`) : null,
    ]),
    guest ? h('span', { class: 'badge badge--guest', 'data-testid': 'guest-badge' }, t('participants.guest')) : null,
    entry.micOff ? h('span', { class: 'person__mic', title: t('room.micOffIndicator'), 'aria-label': t('room.micOffIndicator') }, [icon('micOff')]) : null,
  ])
}

/** createParticipantsPanel builds the panel; `inviteUrl` is the link copied by its button. */
export function createParticipantsPanel(inviteUrl: string, onClose: () => void): ParticipantsPanel {
  const list = h('ul', { class: 'people' })
  const copyLabel = h('span', {}, t('participants.copyInvite'))
  const copy = h('button', { type: 'button', class: 'btn btn--light btn--block', 'data-testid': 'copy-invite' }, [icon('link'), copyLabel])
  copy.addEventListener('click', async () => {
    copyLabel.textContent = (await copyText(inviteUrl)) ? t('rooms.copied') : t('rooms.copyFailed')
    setTimeout(() => (copyLabel.textContent = t('participants.copyInvite')), 2000)
  })
  const frame = createPanel('participants', [h('div', { class: 'panel__body' }, [copy, list])], onClose)
  return {
    frame,
    render(rows) {
      frame.setTitle(t('participants.title', { count: rows.length }))
      list.replaceChildren(...rows.map(row))
    },
  }
}
