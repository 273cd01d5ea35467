// A host's meeting-wide controls: the lobby queue (admit, decline), mute all, lock, end for all.
import type { LobbyEntryInfo } from '../../../signaling/protocol.ts'
import { h, setChildren } from '../dom.ts'
import { t } from '../i18n/index.ts'
import type { HostMethod, Meeting } from '../meeting/meeting.ts'

/** renderHostControls fills `area` for a host (and hides it for anyone else); failures go to `onError`. */
export function renderHostControls(area: HTMLElement, meeting: Meeting, onError: () => void): void {
  area.hidden = !meeting.isHost
  if (!meeting.isHost) return area.replaceChildren()
  const run = (method: HostMethod, data: object) => {
    // Each method's data is built right here to its schema; the server validates it again.
    meeting.moderate(method, data as never).catch(onError)
  }
  const waiting = (entry: LobbyEntryInfo) =>
    h('li', { class: 'person person--waiting', 'data-testid': 'lobby-entry', 'data-peer-id': entry.id }, [
      h('span', { class: 'person__name' }, entry.displayName),
      entry.kind === 'guest' ? h('span', { class: 'badge badge--guest' }, t('participants.guest')) : null,
      // The buttons take their own line so a long name is never cut to an initial.
      h('span', { class: 'person__decide' }, [
        h('button', { type: 'button', class: 'btn btn--primary btn--small', 'data-testid': 'admit', onclick: () => run('admit', { peerId: entry.id }) }, t('host.admit')),
        h('button', { type: 'button', class: 'btn btn--light btn--small', 'data-testid': 'reject', onclick: () => run('reject', { peerId: entry.id }) }, t('host.reject')),
      ]),
    ])
  const end = () => {
    if (confirm(t('host.confirmEnd'))) run('endMeeting', {})
  }
  setChildren(area, [
    meeting.lobby.length > 0
      ? h('section', { class: 'host-area__lobby', 'data-testid': 'lobby-queue' }, [h('h3', {}, t('host.lobbyTitle')), h('ul', { class: 'people' }, meeting.lobby.map(waiting))])
      : null,
    h('div', { class: 'host-area__actions' }, [
      h('button', { type: 'button', class: 'btn btn--light btn--small', 'data-testid': 'mute-all', onclick: () => run('muteAll', {}) }, t('host.muteAll')),
      h(
        'button',
        { type: 'button', class: 'btn btn--light btn--small', 'data-testid': 'lock', 'aria-pressed': String(meeting.locked), onclick: () => run('setLocked', { locked: !meeting.locked }) },
        t(meeting.locked ? 'host.unlock' : 'host.lock'),
      ),
      h('button', { type: 'button', class: 'btn btn--danger btn--small', 'data-testid': 'end-for-all', onclick: end }, t('host.endForAll')),
    ]),
  ])
}
