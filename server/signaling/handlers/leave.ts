import type { Handler } from '../handler.ts'
import { joined } from '../session.ts'

export const leave: Handler<'leave'> = (session) => {
  const { room, peer } = joined(session)
  session.room = undefined
  session.peer = undefined
  room.removePeer(peer.id)
  return {}
}
