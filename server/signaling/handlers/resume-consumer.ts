import type { Handler } from '../handler.ts'
import { joined } from '../session.ts'

export const resumeConsumer: Handler<'resumeConsumer'> = async (session, { consumerId }) => {
  const { room, peer } = joined(session)
  // The worker asks the sender for a keyframe when a video consumer resumes: no extra request here.
  await room.consumerOf(peer, consumerId).resume()
  return {}
}
