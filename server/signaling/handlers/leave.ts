import type { Handler } from '../handler.ts'
import { joined } from '../session.ts'

/** leave takes the connection out of its meeting, or out of the lobby while it waits. */
export const leave: Handler<'leave'> = (session) => {
  if (session.waiting) {
    const { room, entryId } = session.waiting
    session.waiting = undefined
    room.leaveLobby(entryId)
    return {}
  }
  const { room, peer } = joined(session)
  session.room = undefined
  session.peer = undefined
  room.removePeer(peer.id)
  return {}
}
