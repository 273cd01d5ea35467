import type { Handler } from '../handler.ts'
import { joined } from '../session.ts'

export const resumeConsumer: Handler<'resumeConsumer'> = async (session, { consumerId }) => {
  const { room, peer } = joined(session)
  const consumer = room.consumerOf(peer, consumerId)
  await consumer.resume()
  // A fresh video consumer needs a keyframe to show anything; ask now rather than wait for the next one.
  if (consumer.kind === 'video') await consumer.requestKeyFrame()
  return {}
}
