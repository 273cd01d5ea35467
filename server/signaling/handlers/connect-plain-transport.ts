import type { types } from 'mediasoup'
import type { Handler } from '../handler.ts'
import { joined } from '../session.ts'

export const connectPlainTransport: Handler<'connectPlainTransport'> = async (session, { transportId, ip, port, rtcpPort, srtpParameters }) => {
  const { room, peer } = joined(session)
  const t = room.plainTransportOf(peer, transportId)
  await t.connect({
    ...(ip === undefined ? {} : { ip }),
    ...(port === undefined ? {} : { port }),
    ...(rtcpPort === undefined ? {} : { rtcpPort }),
    ...(srtpParameters === undefined ? {} : { srtpParameters: srtpParameters as types.SrtpParameters }),
  })
  // A client that picked another SRTP suite than the transport offered gets a new server key with
  // it (mediasoup makes one on connect); without it the client could not decrypt what we send.
  return t.srtpParameters ? { srtpParameters: t.srtpParameters } : {}
}
