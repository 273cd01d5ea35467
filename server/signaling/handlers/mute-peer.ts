import type { Handler } from '../handler.ts'
import { asHost, muteMic, participant } from '../host.ts'

/** mutePeer pauses one participant's microphone; they may unmute themselves. */
export const mutePeer: Handler<'mutePeer'> = async (session, { peerId }) => {
  const { room } = asHost(session)
  await muteMic(participant(room, peerId))
  return {}
}
