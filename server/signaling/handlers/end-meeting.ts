import type { Handler } from '../handler.ts'
import { asHost } from '../host.ts'

/** endMeeting ends the meeting for everyone (and the lobby): each is told `roomClosed` 'ended'. */
export const endMeeting: Handler<'endMeeting'> = (session) => {
  const { room } = asHost(session)
  session.room = undefined
  session.peer = undefined
  room.close('ended')
  return {}
}
