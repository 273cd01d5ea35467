import type { Handler } from '../handler.ts'
import { joined } from '../session.ts'
import { captureOf } from './capture-of.ts'

/** captureState: what is recorded and streamed now, and whether this participant may change it. */
export const captureState: Handler<'captureState'> = (session) => {
  const { room, peer } = joined(session)
  const capture = captureOf(session)
  return { recording: capture.recordingState(room, peer), streaming: capture.streamingState(room, peer) }
}
