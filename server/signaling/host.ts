// What every host method checks first: the caller is in the meeting and hosts it.
import type { Peer } from '../sfu/peer.ts'
import type { Room } from '../sfu/room.ts'
import { joined, SignalingError, type SignalingSession } from './session.ts'

/** asHost returns the session's room and peer; throws not_joined, or forbidden for a non-host. */
export function asHost(session: SignalingSession): { room: Room; peer: Peer } {
  const { room, peer } = joined(session)
  if (!room.moderation.isHost(peer.id)) throw new SignalingError('forbidden', 'only a host of this meeting may do that')
  return { room, peer }
}

/** participant returns the meeting's participant `peerId`; throws not_found. */
export function participant(room: Room, peerId: string): Peer {
  const target = room.peers.get(peerId as Peer['id'])
  if (!target) throw new SignalingError('not_found', `no participant ${peerId} in this meeting`)
  return target
}

/** muteMic pauses `peer`'s microphone (if it sends one) and tells the peer; false when it was already silent. */
export async function muteMic(peer: Peer): Promise<boolean> {
  let paused = false
  for (const p of peer.producers.values()) {
    if (peer.sourceOf(p) === 'mic' && !p.paused) {
      await p.pause()
      paused = true
    }
  }
  peer.notify('mutedByHost', { source: 'mic' })
  return paused
}
