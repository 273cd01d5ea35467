import type { Handler } from '../handler.ts'
import { joined } from '../session.ts'
import { captureOf } from './capture-of.ts'

export const startStreaming: Handler<'startStreaming'> = (session, { url, key }) => {
  const { room, peer } = joined(session)
  return captureOf(session).startStreaming(room, peer, { url, key })
}
