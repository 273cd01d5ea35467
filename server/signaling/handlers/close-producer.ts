import type { Handler } from '../handler.ts'
import { joined } from '../session.ts'

export const closeProducer: Handler<'closeProducer'> = (session, { producerId }) => {
  const { room, peer } = joined(session)
  room.producerOf(peer, producerId).close()
  peer.producers.delete(producerId)
  return {}
}
