// Who is in the meeting: the list with guest and host marks and microphone state, the invite link,
// and for hosts the lobby queue, meeting-wide controls and each participant's menu.
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
  host: boolean
}

/** What a host may do to one participant; the panel offers it only to hosts. */
export type PeerAction = 'mutePeer' | 'cameraOff' | 'removeParticipant' | 'makeHost'

export interface ParticipantsPanel {
  frame: PanelFrame
  /** render shows `rows`; `canModerate` adds each other participant's host menu. */
  render(rows: ParticipantRow[], canModerate: boolean): void
  /** hostArea is where the host controls (lobby queue, mute all, lock, end) go, above the list. */
  hostArea: HTMLElement
}

const actionLabels = { mutePeer: 'host.mute', cameraOff: 'host.cameraOff', removeParticipant: 'host.remove', makeHost: 'host.makeHost' } as const

function row(entry: ParticipantRow, menu: HTMLElement | null): HTMLElement {
  const avatar = h('span', { class: 'avatar avatar--small', 'aria-hidden': 'true' }, initials(entry.info.displayName))
  avatar.style.setProperty('--hue', String(avatarHue(entry.info.displayName)))
  const guest = entry.info.kind === 'guest'
  return h('li', { class: 'person', 'data-testid': 'participant', 'data-peer-id': entry.info.id, 'data-guest': guest, 'data-self': entry.self, 'data-host': entry.host }, [
    avatar,
    h('span', { class: 'person__name' }, [
      entry.info.displayName,
      entry.self ? h('span', { class: 'person__you' }, ` (${t('participants.you')})`) : null,
    ]),
    entry.host ? h('span', { class: 'badge', 'data-testid': 'host-badge' }, t('host.badge')) : null,
    guest ? h('span', { class: 'badge badge--guest', 'data-testid': 'guest-badge' }, t('participants.guest')) : null,
    entry.micOff ? h('span', { class: 'person__mic', title: t('room.micOffIndicator'), 'aria-label': t('room.micOffIndicator') }, [icon('micOff')]) : null,
    menu,
  ])
}

/** createParticipantsPanel builds the panel; `inviteUrl` is the link copied by its button, `onAction` runs a host's choice. */
export function createParticipantsPanel(inviteUrl: string, onClose: () => void, onAction: (action: PeerAction, peer: PeerInfo) => void): ParticipantsPanel {
  const list = h('ul', { class: 'people' })
  const hostArea = h('div', { class: 'host-area', hidden: true, 'data-testid': 'host-controls' })
  const copyLabel = h('span', {}, t('participants.copyInvite'))
  const copy = h('button', { type: 'button', class: 'btn btn--light btn--block', 'data-testid': 'copy-invite' }, [icon('link'), copyLabel])
  copy.addEventListener('click', async () => {
    copyLabel.textContent = (await copyText(inviteUrl)) ? t('rooms.copied') : t('rooms.copyFailed')
    setTimeout(() => (copyLabel.textContent = t('participants.copyInvite')), 2000)
  })
  const frame = createPanel('participants', [h('div', { class: 'panel__body' }, [copy, hostArea, list])], onClose)
  const menuFor = (entry: ParticipantRow): HTMLElement => {
    const actions = (Object.keys(actionLabels) as PeerAction[]).filter((a) => a !== 'makeHost' || !entry.host)
    return h('details', { class: 'person__menu', 'data-testid': 'participant-menu' }, [
      h('summary', { 'aria-label': t('host.actionsFor', { name: entry.info.displayName }), title: t('host.actionsFor', { name: entry.info.displayName }) }, '⋯'),
      h(
        'div',
        { class: 'person__actions' },
        actions.map((action) =>
          h('button', { type: 'button', class: 'btn btn--light btn--small', 'data-action': action, onclick: () => onAction(action, entry.info) }, t(actionLabels[action])),
        ),
      ),
    ])
  }
  return {
    frame,
    hostArea,
    render(rows, canModerate) {
      frame.setTitle(t('participants.title', { count: rows.length }))
      list.replaceChildren(...rows.map((entry) => row(entry, canModerate && !entry.self ? menuFor(entry) : null)))
    },
  }
}
