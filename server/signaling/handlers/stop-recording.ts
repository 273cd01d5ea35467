import type { Handler } from '../handler.ts'
import { joined } from '../session.ts'
import { captureOf } from './capture-of.ts'

export const stopRecording: Handler<'stopRecording'> = (session) => {
  const { room, peer } = joined(session)
  return captureOf(session).stopRecording(room, peer)
}
