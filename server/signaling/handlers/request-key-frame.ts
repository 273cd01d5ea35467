import type { Handler } from '../handler.ts'
import { joined } from '../session.ts'

/**
 * requestKeyFrame asks the sender of a video consumer for a key frame. mediasoup coalesces requests
 * for the same stream, and the client asks at most once per consumer every 1.5 s, so this cannot
 * become a key frame storm. Audio consumers are ignored.
 */
export const requestKeyFrame: Handler<'requestKeyFrame'> = async (session, { consumerId }) => {
  const { room, peer } = joined(session)
  const consumer = room.consumerOf(peer, consumerId)
  if (consumer.kind === 'video' && !consumer.closed) await consumer.requestKeyFrame()
  return {}
}
