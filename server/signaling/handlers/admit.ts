import type { Handler } from '../handler.ts'
import { asHost } from '../host.ts'
import { SignalingError } from '../session.ts'

/** admit lets a waiter in: the license's participant limit applies now, and again at its join. */
export const admit: Handler<'admit'> = (session, { peerId }) => {
  const { room } = asHost(session)
  const entry = room.moderation.lobby.get(peerId)
  if (!entry) throw new SignalingError('not_found', `nobody ${peerId} waits in the lobby`)
  const refused = session.admission.refuseParticipant(room.peers.size)
  if (refused) throw new SignalingError(refused.code, refused.message, refused.limit)
  if (!entry.admitted) {
    entry.admitted = true
    entry.notify('admitted', {})
  }
  return {}
}
