import type { types } from 'mediasoup'
import type { Handler } from '../handler.ts'
import { joined } from '../session.ts'

export const connectPlainTransport: Handler<'connectPlainTransport'> = async (session, { transportId, ip, port, rtcpPort, srtpParameters }) => {
  const { room, peer } = joined(session)
  await room.plainTransportOf(peer, transportId).connect({
    ...(ip === undefined ? {} : { ip }),
    ...(port === undefined ? {} : { port }),
    ...(rtcpPort === undefined ? {} : { rtcpPort }),
    ...(srtpParameters === undefined ? {} : { srtpParameters: srtpParameters as types.SrtpParameters }),
  })
  return {}
}
