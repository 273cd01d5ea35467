import type { Handler } from '../handler.ts'
import { joined } from '../session.ts'

export const createTransport: Handler<'createTransport'> = async (session, { direction }) => {
  const { room, peer } = joined(session)
  const t = await room.createTransport(peer, direction)
  return { id: t.id, iceParameters: t.iceParameters, iceCandidates: t.iceCandidates, dtlsParameters: t.dtlsParameters }
}
