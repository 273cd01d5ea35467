// How the meeting judges a failed connection: retry, give up, and what to tell the user meanwhile.
import { api, ApiError } from '../api.ts'
import { SignalingError } from './signaling-client.ts'

/** Why the meeting is over for this user. */
export type EndReason =
  | 'left'
  | 'deleted'
  | 'shutdown'
  | 'notFound'
  | 'full'
  | 'roomLimit'
  | 'unlicensed'
  | 'rejected'
  // Moderation: a PIN refused, a locked room, declined at the lobby, removed, ended by a host.
  | 'wrongPin'
  | 'pinLocked'
  | 'locked'
  | 'lobbyRejected'
  | 'removed'
  | 'endedByHost'

/**
 * backoffMs is the wait before reconnect attempt `attempt` (1, 2, …): quick at first (a blip), then
 * at most about every 15 s so a dead server is not hammered; jittered so a room does not retry in step.
 */
export function backoffMs(attempt: number): number {
  const base = Math.min(15_000, 1000 * 2 ** Math.max(0, attempt - 1))
  return base * (0.8 + Math.random() * 0.4)
}

/** isConnectionLoss tells a dropped or silent socket apart from an error the server answered with. */
export function isConnectionLoss(error: unknown): boolean {
  return error instanceof SignalingError && (error.code === 'closed' || error.code === 'timeout')
}

/**
 * fatalReason returns why retrying is pointless (the room is gone or full, the server refuses the
 * join), or null when the failure may be transient. `firstJoin` tells "never existed" from "deleted".
 */
export function fatalReason(error: unknown, firstJoin: boolean): EndReason | null {
  if (!(error instanceof SignalingError)) return null
  if (error.code === 'room_not_found') return firstJoin ? 'notFound' : 'deleted'
  if (error.code === 'room_full') return 'full'
  // The license decides these; a retry every few seconds would not change its mind.
  if (error.code === 'room_limit') return 'roomLimit'
  if (error.code === 'license_required') return 'unlicensed'
  if (error.code === 'bad_request' || error.code === 'already_joined') return 'rejected'
  if (error.code === 'pin_required' || error.code === 'wrong_pin') return 'wrongPin'
  if (error.code === 'pin_locked') return 'pinLocked'
  if (error.code === 'room_locked') return 'locked'
  return null
}

/** probeRoom asks over plain HTTPS whether the server answers and the room still exists. */
export async function probeRoom(roomId: string): Promise<'ok' | 'gone' | 'unreachable'> {
  try {
    await api.getRoom(roomId)
    return 'ok'
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return 'gone'
    if (error instanceof ApiError && error.code === 'network') return 'unreachable'
    // 5xx: the server is there but unwell; keep retrying as a plain reconnect.
    return 'ok'
  }
}
