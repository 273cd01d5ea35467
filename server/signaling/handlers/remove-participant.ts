import type { Handler } from '../handler.ts'
import { asHost, participant } from '../host.ts'
import { SignalingError } from '../session.ts'

/** removeParticipant takes someone out of the meeting and closes their connection; they may rejoin unless the room is locked. */
export const removeParticipant: Handler<'removeParticipant'> = (session, { peerId }) => {
  const { room, peer } = asHost(session)
  if (peerId === peer.id) throw new SignalingError('bad_request', 'use leave to leave the meeting yourself')
  const target = participant(room, peerId)
  room.removePeer(target.id)
  target.notify('removed', {})
  return {}
}
