import type { Handler } from '../handler.ts'
import { joined } from '../session.ts'

export const restartIce: Handler<'restartIce'> = async (session, { transportId }) => {
  const { room, peer } = joined(session)
  return { iceParameters: await room.transportOf(peer, transportId).restartIce() }
}
