// Takes one account out of every live meeting at once (the account was blocked or deleted).
import type { RoomRegistry } from './room-registry.ts'

/**
 * disconnectUser removes every live connection of the account `userId`, the way a host removes a
 * participant: a participant leaves the meeting and is told 'removed', someone waiting in a lobby is
 * turned away ('lobbyRejected'); either way the signaling connection closes and the client does not
 * reconnect. Guests (no account) are never matched. Returns how many connections it ended.
 */
export function disconnectUser(registry: RoomRegistry, userId: string): number {
  let ended = 0
  // Copies: removing the last peer closes the room, and the registry then forgets it.
  for (const room of [...registry.rooms()]) {
    for (const peer of [...room.peers.values()]) {
      if (peer.userId !== userId) continue
      room.removePeer(peer.id)
      peer.notify('removed', {})
      ended++
    }
    for (const entry of [...room.moderation.lobby.values()]) {
      if (entry.userId !== userId) continue
      room.leaveLobby(entry.id)
      entry.notify('lobbyRejected', {})
      ended++
    }
  }
  return ended
}
