// Every way a cluster call can fail, each with a stable code: callers (joins, the CLI) map the code to
// their answer, e.g. redis_unavailable -> "new meetings refused".
export type ClusterErrorCode =
  /** Redis does not answer (down, paused, refused the password); see the message for which. */
  | 'redis_unavailable'
  /** This node no longer holds the meeting's lease (it expired, or another node took it). */
  | 'lease_lost'
  /** The meeting's lease is held by another node. */
  | 'lease_held_elsewhere'
  /** No live node that takes new meetings (all draining or silent). */
  | 'no_node'

export class ClusterError extends Error {
  override name = 'ClusterError'
  readonly code: ClusterErrorCode
  constructor(code: ClusterErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}
