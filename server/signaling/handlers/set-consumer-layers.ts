import type { Handler } from '../handler.ts'
import { joined } from '../session.ts'

export const setConsumerLayers: Handler<'setConsumerLayers'> = async (session, { consumerId, spatialLayer }) => {
  const { room, peer } = joined(session)
  const consumer = room.consumerOf(peer, consumerId)
  if (consumer.type === 'simulcast') await room.setConsumerLayer(peer, consumer, spatialLayer)
  return {}
}
