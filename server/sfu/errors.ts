// Errors the SFU raises for a client's mistake, each with the code the client sees.
import type { SignalingErrorCode } from '../signaling/protocol.ts'

export class SfuError extends Error {
  override name = 'SfuError'
  readonly code: SignalingErrorCode
  constructor(code: SignalingErrorCode, message: string) {
    super(message)
    this.code = code
  }
}
