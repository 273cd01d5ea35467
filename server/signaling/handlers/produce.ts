import type { types } from 'mediasoup'
import type { Handler } from '../handler.ts'
import { joined } from '../session.ts'

export const produce: Handler<'produce'> = async (session, { transportId, kind, rtpParameters, source }) => {
  const { room, peer } = joined(session)
  const producer = await room.produce(peer, transportId, kind, rtpParameters as types.RtpParameters, source)
  return { producerId: producer.id }
}
