// Who is in the meeting, what media each one sends, who speaks, and the chat: state only, no I/O.
import type { ChatMessage, MediaSource, PeerInfo, VideoLimit } from '../../../signaling/protocol.ts'

export interface RemoteMedia {
  consumerId: string
  kind: 'audio' | 'video'
  source: MediaSource
  track: MediaStreamTrack
  /** The sender muted it (mic) or paused it. */
  paused: boolean
  /** How the server limited this video to fit this browser's downlink; absent: not at all. */
  limit?: VideoLimit
}

export interface Participant {
  info: PeerInfo
  media: RemoteMedia[]
}

// Ids are unique within one server run; with the time they stay unique across a restart too.
function chatKey(message: ChatMessage): string {
  return `${message.id}:${message.at}`
}

/** Every mutator returns whether anything changed, so the meeting only announces real changes. */
export class Roster {
  readonly participants = new Map<string, Participant>()
  readonly chat: ChatMessage[] = []
  activeSpeakerId: string | null = null
  // Every peer id this user had: a rejoin gets a new one, and earlier messages are still "mine".
  readonly #ownPeerIds = new Set<string>()

  /** replace takes the others from a join answer; media arrives later as consumers. */
  replace(self: PeerInfo, peers: PeerInfo[], activeSpeakerId: string | null): void {
    this.#ownPeerIds.add(self.id)
    this.participants.clear()
    for (const peer of peers) if (peer.id !== self.id) this.participants.set(peer.id, { info: peer, media: [] })
    this.activeSpeakerId = activeSpeakerId
  }

  addPeer(peer: PeerInfo): boolean {
    if (this.#ownPeerIds.has(peer.id)) return false
    this.participants.set(peer.id, { info: peer, media: this.participants.get(peer.id)?.media ?? [] })
    return true
  }

  removePeer(peerId: string): boolean {
    if (this.activeSpeakerId === peerId) this.activeSpeakerId = null
    return this.participants.delete(peerId)
  }

  setSpeaker(peerId: string | null): boolean {
    if (this.activeSpeakerId === peerId) return false
    this.activeSpeakerId = peerId
    return true
  }

  /** addMedia attaches a consumed track to its sender; false when the sender already left. */
  addMedia(peerId: string, media: RemoteMedia): boolean {
    const participant = this.participants.get(peerId)
    if (!participant) return false
    participant.media = [...participant.media.filter((existing) => existing.consumerId !== media.consumerId), media]
    return true
  }

  removeMedia(consumerId: string): boolean {
    for (const participant of this.participants.values()) {
      const kept = participant.media.filter((media) => media.consumerId !== consumerId)
      if (kept.length === participant.media.length) continue
      participant.media = kept
      return true
    }
    return false
  }

  setPaused(consumerId: string, paused: boolean): boolean {
    for (const participant of this.participants.values()) {
      const media = participant.media.find((candidate) => candidate.consumerId === consumerId)
      if (!media || media.paused === paused) continue
      media.paused = paused
      return true
    }
    return false
  }

  setLimit(consumerId: string, limit: VideoLimit): boolean {
    for (const participant of this.participants.values()) {
      const media = participant.media.find((candidate) => candidate.consumerId === consumerId)
      if (!media || (media.limit ?? 'none') === limit) continue
      media.limit = limit
      return true
    }
    return false
  }

  /** clearMedia forgets all remote media (the transports carrying it are gone). */
  clearMedia(): boolean {
    let changed = false
    for (const participant of this.participants.values()) {
      if (participant.media.length > 0) changed = true
      participant.media = []
    }
    return changed
  }

  /** isOwnMessage tells whether this user wrote a message, in this or an earlier connection. */
  isOwnMessage(message: ChatMessage): boolean {
    return this.#ownPeerIds.has(message.peerId)
  }

  /** addChat appends a message unless it is already shown (the sender gets it twice). */
  addChat(message: ChatMessage): boolean {
    if (this.chat.some((existing) => chatKey(existing) === chatKey(message))) return false
    this.chat.push(message)
    return true
  }

  /**
   * mergeChat adds a join's history to what is shown. After a server restart the history is empty
   * and ids start over, so what the user already read is kept rather than wiped.
   */
  mergeChat(history: ChatMessage[]): boolean {
    const shown = new Set(this.chat.map(chatKey))
    const added = history.filter((message) => !shown.has(chatKey(message)))
    if (added.length === 0 && this.chat.length > 0) return false
    this.chat.push(...added)
    this.chat.sort((a, b) => a.at - b.at)
    return true
  }
}
