// Errors the SFU raises for a client's mistake, each with the code the client sees.
import type { SignalingErrorCode } from '../signaling/protocol.ts'

export class SfuError extends Error {
  override name = 'SfuError'
  readonly code: SignalingErrorCode
  /** The limit a refusal names (room_full, room_limit). */
  readonly limit: number | undefined
  constructor(code: SignalingErrorCode, message: string, limit?: number) {
    super(message)
    this.code = code
    this.limit = limit
  }
}
