import type { Handler } from '../handler.ts'
import { joined } from '../session.ts'
import { captureOf } from './capture-of.ts'

export const stopStreaming: Handler<'stopStreaming'> = (session) => {
  const { room, peer } = joined(session)
  return captureOf(session).stopStreaming(room, peer)
}
