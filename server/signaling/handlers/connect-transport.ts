import type { types } from 'mediasoup'
import type { Handler } from '../handler.ts'
import { joined } from '../session.ts'

export const connectTransport: Handler<'connectTransport'> = async (session, { transportId, dtlsParameters }) => {
  const { room, peer } = joined(session)
  await room.transportOf(peer, transportId).connect({ dtlsParameters: dtlsParameters as types.DtlsParameters })
  return {}
}
