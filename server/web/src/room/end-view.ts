// The screen after a meeting: left on purpose, or ended by the server, with the ways back in.
import type { User } from '../api.ts'
import { h } from '../dom.ts'
import { t, type MessageKey } from '../i18n/index.ts'
import type { EndReason } from '../meeting/meeting.ts'
import { authLayout } from '../ui/auth-layout.ts'

const titles: Record<EndReason, MessageKey> = {
  left: 'ended.leftTitle',
  deleted: 'ended.deletedTitle',
  shutdown: 'ended.shutdownTitle',
  notFound: 'ended.notFoundTitle',
  full: 'ended.fullTitle',
  roomLimit: 'ended.roomLimitTitle',
  unlicensed: 'ended.unlicensedTitle',
  rejected: 'ended.rejectedTitle',
  wrongPin: 'ended.wrongPinTitle',
  pinLocked: 'ended.pinLockedTitle',
  locked: 'ended.lockedTitle',
  lobbyRejected: 'ended.lobbyRejectedTitle',
  removed: 'ended.removedTitle',
  endedByHost: 'ended.endedByHostTitle',
}
const bodies: Record<EndReason, MessageKey> = {
  left: 'ended.leftBody',
  deleted: 'ended.deletedBody',
  shutdown: 'ended.shutdownBody',
  notFound: 'ended.notFoundBody',
  full: 'ended.fullBody',
  roomLimit: 'ended.roomLimitBody',
  unlicensed: 'ended.unlicensedBody',
  rejected: 'ended.rejectedBody',
  wrongPin: 'ended.wrongPinBody',
  pinLocked: 'ended.pinLockedBody',
  locked: 'ended.lockedBody',
  lobbyRejected: 'ended.lobbyRejectedBody',
  removed: 'ended.removedBody',
  endedByHost: 'ended.endedByHostBody',
}

/** The sentence naming the license limit behind a refusal. */
const limits: Partial<Record<EndReason, MessageKey>> = { full: 'ended.fullLimit', roomLimit: 'ended.roomLimitLimit' }

/** endView tells why the meeting is over; rejoin is offered unless the room is gone. */
export function endView(reason: EndReason, roomTitle: string, user: User | null, onRejoin: () => void, limit?: number): HTMLElement {
  document.title = `${t(titles[reason])} · Veche`
  const canRejoin = reason !== 'deleted' && reason !== 'notFound'
  const rejoin = canRejoin
    ? h('button', { type: 'button', class: 'btn btn--primary', 'data-testid': 'rejoin', onclick: onRejoin }, t('ended.rejoin'))
    : null
  const back = user ? h('a', { class: 'btn', href: '/rooms', 'data-nav': true, 'data-testid': 'back-to-rooms' }, t('ended.backToRooms')) : null
  return authLayout([
    h('div', { class: 'ended', 'data-testid': 'ended', 'data-reason': reason }, [
      h('h1', {}, t(titles[reason])),
      h('p', { class: 'ended__room' }, roomTitle),
      h('p', { class: 'muted' }, t(bodies[reason])),
      limit !== undefined && limits[reason] ? h('p', { class: 'muted', 'data-testid': 'ended-limit' }, t(limits[reason], { count: limit })) : null,
      h('div', { class: 'ended__actions' }, [rejoin, back]),
      user ? null : h('p', { class: 'muted small' }, t('ended.guestClose')),
    ]),
  ], [], false)
}
