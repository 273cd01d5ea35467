import type { Handler } from '../handler.ts'
import { asHost, participant } from '../host.ts'

/** makeHost gives a participant host rights for the rest of the meeting (employees keep them on reconnect). */
export const makeHost: Handler<'makeHost'> = (session, { peerId }) => {
  const { room } = asHost(session)
  room.moderation.promote(participant(room, peerId))
  return {}
}
