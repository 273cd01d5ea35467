import type { types } from 'mediasoup'
import type { Handler } from '../handler.ts'
import { joined } from '../session.ts'

export const ready: Handler<'ready'> = async (session, { rtpCapabilities }) => {
  const { room, peer } = joined(session)
  await room.ready(peer, rtpCapabilities as types.RtpCapabilities)
  return {}
}
