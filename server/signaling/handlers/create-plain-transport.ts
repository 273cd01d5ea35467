import type { Handler } from '../handler.ts'
import { joined } from '../session.ts'

export const createPlainTransport: Handler<'createPlainTransport'> = async (session, { direction, srtp, comedia }) => {
  const { room, peer } = joined(session)
  const t = await room.createPlainTransport(peer, direction, srtp ?? false, comedia ?? false)
  const { localIp, localPort } = t.tuple
  return { id: t.id, ip: localIp, port: localPort, ...(t.srtpParameters ? { srtpParameters: t.srtpParameters } : {}) }
}
