// Who may do what with recordings and streams. One place for these rules.
import type { User } from '../db/users-repository.ts'
import type { Recording } from '../db/recordings-repository.ts'
import type { Peer } from '../sfu/peer.ts'
import type { Room } from '../sfu/room.ts'

/** mayControlCapture: may this participant start and stop recording and streaming? The meeting's hosts. */
export function mayControlCapture(room: Room, peer: Peer): boolean {
  return room.moderation.isHost(peer.id)
}

/**
 * mayAccessRecording: may `user` list, play, download and delete `recording`? Its recorder, the
 * room's owner, and the workspace's owner and admins.
 */
export function mayAccessRecording(user: User, recording: Recording): boolean {
  if (user.role === 'owner' || user.role === 'admin') return true
  return recording.startedBy === user.id || recording.roomOwnerId === user.id
}
