// The state of one signaling connection: who is on the other end, and which room and peer it is,
// once joined. Handlers read and change it; the connection owns its lifetime.
import type { CaptureService } from '../recording/capture-service.ts'
import type { Notify, Peer, PeerClient } from '../sfu/peer.ts'
import type { Room } from '../sfu/room.ts'
import type { RoomRegistry } from '../sfu/room-registry.ts'
import { SfuError as SignalingError } from '../sfu/errors.ts'
import type { SignalingErrorCode } from './protocol.ts'

export interface SignalingUser {
  id: string
  displayName: string
}

export interface RoomRecord {
  id: string
  title: string
  /** The creator's user id: host whenever present. */
  ownerId: string
  lobby: 'off' | 'guests' | 'everyone'
  /** scrypt hash of the guests' PIN, or null. */
  pinHash: string | null
}

/** What the license allows at the door; a refusal carries the code and message the client shows. */
export interface AdmissionRefusal {
  code: SignalingErrorCode
  message: string
  limit?: number
}
export interface Admission {
  refuseNewRoom(liveRooms: number): AdmissionRefusal | undefined
  refuseParticipant(participants: number): AdmissionRefusal | undefined
}

/** Told of every join's outcome (server/metrics counts them); must be cheap, it runs on the join path. */
export interface JoinCounter {
  joined(): void
  joinFailed(code: SignalingErrorCode): void
}

export interface SignalingSession {
  readonly roomId: string
  /** The signed-in employee, or undefined for a guest. */
  readonly user: SignalingUser | undefined
  readonly registry: RoomRegistry
  /** Looks the room up in the database: it may have been deleted since the link was shared. */
  readonly lookupRoom: (id: string) => Promise<RoomRecord | undefined>
  readonly admission: Admission
  /** Recording and streaming; absent where the app has none (then those methods are refused). */
  readonly capture?: CaptureService | undefined
  /** Counts join outcomes for /metrics; absent where nobody counts. */
  readonly joinCounter?: JoinCounter | undefined
  /**
   * False once the signed-in employee was blocked or deleted after this connection opened (the socket
   * outlives the session check at upgrade); absent: always active.
   */
  readonly accountActive?: (() => Promise<boolean>) | undefined
  /** The connection's client details (user agent, address), handed to its peer for the meeting history. */
  readonly client?: PeerClient | undefined
  readonly notify: Notify
  room: Room | undefined
  peer: Peer | undefined
  /** Set while this connection waits in the room's lobby (see the lobby flow in protocol.ts). */
  waiting: { room: Room; entryId: string } | undefined
}

/** joined returns the session's room and peer, or throws not_joined. */
export function joined(session: SignalingSession): { room: Room; peer: Peer } {
  if (!session.room || !session.peer) throw new SignalingError('not_joined', 'send join first')
  // A removed peer's connection lingers a moment before it closes: it is no longer in the meeting.
  if (session.room.peers.get(session.peer.id) !== session.peer) throw new SignalingError('not_joined', 'you are no longer in this meeting')
  return { room: session.room, peer: session.peer }
}

export { SignalingError }
