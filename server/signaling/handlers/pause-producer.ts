import type { Handler } from '../handler.ts'
import { joined } from '../session.ts'

export const pauseProducer: Handler<'pauseProducer'> = async (session, { producerId }) => {
  const { room, peer } = joined(session)
  await room.producerOf(peer, producerId).pause()
  return {}
}
