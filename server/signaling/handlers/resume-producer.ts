import type { Handler } from '../handler.ts'
import { joined } from '../session.ts'

export const resumeProducer: Handler<'resumeProducer'> = async (session, { producerId }) => {
  const { room, peer } = joined(session)
  await room.producerOf(peer, producerId).resume()
  return {}
}
