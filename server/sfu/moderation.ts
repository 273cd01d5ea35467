// Owns a live meeting's moderation state: who hosts it, who waits in its lobby, whether it is locked.
// Live only: it goes with the room. The room's stored settings (lobby mode, PIN) are the database's.
import type { LobbyEntryInfo, NotificationName, Notifications, PeerKind } from '../signaling/protocol.ts'
import type { Notify, Peer, PeerId } from './peer.ts'

/** Someone waiting for a host: not a participant yet (no media, no chat, not counted by the license). */
export interface LobbyEntry {
  id: string
  displayName: string
  kind: PeerKind
  userId: string | undefined
  notify: Notify
  since: number
  /** Set by a host's `admit`; the waiter's next `join` then enters the meeting. */
  admitted: boolean
}

/** What moderation needs of its room: the participants, and a way to tell them. */
export interface ModeratedRoom {
  readonly peers: ReadonlyMap<PeerId, Peer>
  broadcast<N extends NotificationName>(name: N, data: Notifications[N], except?: PeerId): void
}

export class Moderation {
  /** The room's creator (an employee's user id): host whenever present. Set from the database at each join. */
  ownerId: string | undefined
  locked = false
  readonly hosts = new Set<PeerId>()
  readonly lobby = new Map<string, LobbyEntry>()
  // Employees made host in this meeting stay hosts when they reconnect (a new peer id).
  readonly #hostUsers = new Set<string>()
  readonly #room: ModeratedRoom

  constructor(room: ModeratedRoom) {
    this.#room = room
  }

  isHost(peerId: string): boolean {
    return this.hosts.has(peerId as PeerId)
  }

  /** isHostUser: the employee `userId` is the creator or was made host in this meeting. */
  isHostUser(userId: string | undefined): boolean {
    return userId !== undefined && (userId === this.ownerId || this.#hostUsers.has(userId))
  }

  /** hasHost: some host is in the meeting now. */
  get hasHost(): boolean {
    return this.hosts.size > 0
  }

  /** promote makes `peer` a host (and its account, for reconnects) and tells everyone. */
  promote(peer: Peer): void {
    if (peer.userId !== undefined) this.#hostUsers.add(peer.userId)
    if (this.hosts.has(peer.id)) return
    this.hosts.add(peer.id)
    this.#tellHosts()
    // A new host needs the queue it may now admit from.
    if (this.lobby.size > 0) peer.notify('lobbyChanged', { queue: this.queue() })
  }

  /** joined: a peer entered; the creator or a returning host hosts; a hostless meeting gets one. */
  joined(peer: Peer): void {
    if (this.isHostUser(peer.userId)) this.promote(peer)
    else this.#succeed()
  }

  /** left: a peer went; when the last host goes, the oldest employee present takes over. */
  left(peerId: PeerId): void {
    if (!this.hosts.delete(peerId)) return
    if (!this.#succeed()) this.#tellHosts()
  }

  /** #succeed gives a hostless meeting a host (the oldest employee present); true when it did. */
  #succeed(): boolean {
    if (this.hosts.size > 0) return false
    let oldest: Peer | undefined
    for (const p of this.#room.peers.values()) {
      if (p.kind === 'internal' && (!oldest || p.joinedAt < oldest.joinedAt)) oldest = p
    }
    if (!oldest) return false
    this.hosts.add(oldest.id)
    this.#tellHosts()
    if (this.lobby.size > 0) oldest.notify('lobbyChanged', { queue: this.queue() })
    return true
  }

  #tellHosts(): void {
    this.#room.broadcast('hostChanged', { hosts: [...this.hosts] })
  }

  queue(): LobbyEntryInfo[] {
    return [...this.lobby.values()].map((e) => ({ id: e.id, displayName: e.displayName, kind: e.kind, since: e.since }))
  }

  /** tellLobby sends the queue to every host present. */
  tellLobby(): void {
    const queue = this.queue()
    for (const id of this.hosts) this.#room.peers.get(id)?.notify('lobbyChanged', { queue })
  }
}
