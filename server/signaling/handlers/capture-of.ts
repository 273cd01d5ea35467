// The recording service behind the capture methods (recording and streaming), or a clear refusal.
import type { CaptureService } from '../../recording/capture-service.ts'
import { SignalingError, type SignalingSession } from '../session.ts'

/** captureOf returns the session's capture service; throws feature_unlicensed where the app has none. */
export function captureOf(session: SignalingSession): CaptureService {
  if (!session.capture) throw new SignalingError('feature_unlicensed', 'recording and streaming are not available on this server')
  return session.capture
}
