import type { Handler } from '../handler.ts'
import { asHost } from '../host.ts'
import { SignalingError } from '../session.ts'

/** reject turns a waiter away: it is told, its connection closes, the hosts see the shorter queue. */
export const reject: Handler<'reject'> = (session, { peerId }) => {
  const { room } = asHost(session)
  const entry = room.moderation.lobby.get(peerId)
  if (!entry) throw new SignalingError('not_found', `nobody ${peerId} waits in the lobby`)
  room.leaveLobby(peerId)
  entry.notify('lobbyRejected', {})
  return {}
}
