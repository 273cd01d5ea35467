import type { Handler } from '../handler.ts'
import { joined } from '../session.ts'
import { captureOf } from './capture-of.ts'

export const startRecording: Handler<'startRecording'> = (session) => {
  const { room, peer } = joined(session)
  return captureOf(session).startRecording(room, peer)
}
