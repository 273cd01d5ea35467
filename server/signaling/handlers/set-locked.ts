import type { Handler } from '../handler.ts'
import { asHost } from '../host.ts'

/** setLocked locks the meeting (only its hosts may join, the lobby takes nobody new) or unlocks it. */
export const setLocked: Handler<'setLocked'> = (session, { locked }) => {
  const { room } = asHost(session)
  if (room.moderation.locked !== locked) {
    room.moderation.locked = locked
    room.broadcast('lockChanged', { locked })
  }
  return { locked }
}
