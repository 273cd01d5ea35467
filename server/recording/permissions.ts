// Who may do what with recordings and streams. One place, so the host role (a later issue)
// replaces these rules without touching the callers.
import type { User } from '../db/users-repository.ts'
import type { Recording } from '../db/recordings-repository.ts'
import type { Peer } from '../sfu/peer.ts'

/**
 * mayControlCapture: may this participant start and stop recording and streaming? For now every
 * signed-in employee in the meeting acts as host; guests never do.
 */
export function mayControlCapture(peer: Peer): boolean {
  return peer.kind === 'internal' && peer.userId !== undefined
}

/**
 * mayAccessRecording: may `user` list, play, download and delete `recording`? Its recorder, the
 * room's owner, and the workspace's owner and admins.
 */
export function mayAccessRecording(user: User, recording: Recording): boolean {
  if (user.role === 'owner' || user.role === 'admin') return true
  return recording.startedBy === user.id || recording.roomOwnerId === user.id
}
