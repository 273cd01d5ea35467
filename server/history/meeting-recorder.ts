// Writes the meeting history while meetings run: watches each room the registry opens and records the
// meeting (from its first participant to its close), every stay with the client's details and, when it
// ends, its connection quality (server/sfu/stay-quality.ts), the chat, and each UTC day's peak load. It only listens: a failed write is logged and never reaches a join.
// Writes are queued and run one at a time in the order the events came: a stay needs its meeting's id,
// a leave its stay's, and the levels a join stores are those after the writes before it.
import type { ChatMessage } from '../signaling/protocol.ts'
import type { SfuLogger } from '../sfu/logger.ts'
import type { Peer, PeerId } from '../sfu/peer.ts'
import type { Room } from '../sfu/room.ts'
import type { RoomRegistry } from '../sfu/room-registry.ts'
import { utcDay, type MeetingHistoryRepository, type MeetingId, type ParticipantId, type StayQuality } from '../db/meeting-history-repository.ts'
import { parseUserAgent } from './user-agent.ts'

export interface MeetingRecorderOptions {
  registry: RoomRegistry
  repository: MeetingHistoryRepository
  log: SfuLogger
  now?: () => number
}

/** What the recorder knows of one live room. The meeting starts with its first participant. */
interface LiveMeeting {
  id: MeetingId | undefined
  stays: Map<PeerId, ParticipantId>
  /** The peers of open stays: a room's close ends them without a peerLeft, and their quality is written then. */
  peers: Map<PeerId, Peer>
  /** When the last stay closed: a meeting nobody is left in ended then, not when its room closes after. */
  lastLeftAt: number | undefined
}

interface Levels {
  rooms: number
  participants: number
  largest: number
}

export class MeetingRecorder {
  readonly #registry: RoomRegistry
  readonly #repository: MeetingHistoryRepository
  readonly #log: SfuLogger
  readonly #now: () => number
  readonly #live = new Map<Room, LiveMeeting>()
  /** Today's peaks as stored, so a join writes them only when they rise. */
  #peaks: Levels & { day: string } = { day: '', rooms: 0, participants: 0, largest: 0 }
  #midnight: NodeJS.Timeout | undefined
  /** The write queue's tail: resolves once every write queued so far has run. */
  #writes: Promise<void> = Promise.resolve()
  readonly #onOpened = (room: Room): void => this.#watch(room)

  constructor(options: MeetingRecorderOptions) {
    this.#registry = options.registry
    this.#repository = options.repository
    this.#log = options.log
    this.#now = options.now ?? Date.now
  }

  /** start watches rooms opened from now on (and any already open). */
  start(): void {
    this.#registry.on('roomOpened', this.#onOpened)
    for (const room of this.#registry.rooms()) this.#watch(room)
    this.#armMidnight()
  }

  /** flushed resolves once every write queued until now has run (failed ones are logged). */
  flushed(): Promise<void> {
    return this.#writes
  }

  /** stop ends the watching; meetings still running are ended by their rooms' close. */
  stop(): void {
    this.#registry.off('roomOpened', this.#onOpened)
    clearTimeout(this.#midnight)
  }

  #watch(room: Room): void {
    if (this.#live.has(room) || room.closed) return
    const meeting: LiveMeeting = { id: undefined, stays: new Map(), peers: new Map(), lastLeftAt: undefined }
    this.#live.set(room, meeting)
    // Times are taken when the event comes, not when its write runs.
    room.on('peerJoined', (peer) => {
      const now = this.#now()
      this.#queue('join', room, () => this.#joined(room, meeting, peer, now))
    })
    room.on('peerLeft', (peer) => {
      const now = this.#now()
      const quality = peer.quality.summary(now)
      this.#queue('leave', room, () => this.#left(meeting, peer, now, quality))
    })
    room.on('chat', (message) => this.#queue('chat', room, () => this.#chat(meeting, message)))
    room.once('close', () => {
      const now = this.#now()
      // Taken now: the stays still open end with the room.
      const qualities = new Map([...meeting.peers].map(([id, peer]) => [id, peer.quality.summary(now)]))
      this.#queue('close', room, () => this.#closed(room, meeting, now, qualities))
    })
  }

  async #joined(room: Room, meeting: LiveMeeting, peer: Peer, now: number): Promise<void> {
    meeting.id ??= await this.#repository.startMeeting({ roomId: room.id, roomTitle: room.title, startedAt: now })
    const client = peer.client
    const software = client ? parseUserAgent(client.userAgent) : undefined
    const stay = await this.#repository.addParticipant({
      meetingId: meeting.id,
      userId: peer.userId ?? null,
      displayName: peer.displayName,
      kind: peer.kind,
      joinedAt: now,
      userAgent: client?.userAgent ?? null,
      browser: software?.browser ?? null,
      os: software?.os ?? null,
      ip: client?.address ?? null,
      viaProxy: client?.viaProxy ?? false,
      forwardedFor: client?.forwardedFor ?? null,
    })
    meeting.stays.set(peer.id, stay)
    meeting.peers.set(peer.id, peer)
    await this.#notePeaks(now)
  }

  async #left(meeting: LiveMeeting, peer: Peer, now: number, quality: StayQuality): Promise<void> {
    const stay = meeting.stays.get(peer.id)
    meeting.peers.delete(peer.id)
    if (stay === undefined) return
    meeting.stays.delete(peer.id)
    await this.#repository.recordQuality(stay, quality)
    await this.#repository.participantLeft(stay, now)
    meeting.lastLeftAt = now
  }

  async #chat(meeting: LiveMeeting, message: ChatMessage): Promise<void> {
    if (meeting.id === undefined) return
    await this.#repository.addChat({
      meetingId: meeting.id,
      participantId: meeting.stays.get(message.peerId as PeerId) ?? null,
      senderName: message.displayName,
      text: message.text,
      sentAt: message.at,
    })
  }

  async #closed(room: Room, meeting: LiveMeeting, now: number, qualities: Map<PeerId, StayQuality>): Promise<void> {
    this.#live.delete(room)
    if (meeting.id === undefined) return
    for (const [peerId, quality] of qualities) {
      const stay = meeting.stays.get(peerId)
      if (stay !== undefined) await this.#repository.recordQuality(stay, quality)
    }
    const endedAt = meeting.stays.size === 0 && meeting.lastLeftAt !== undefined ? meeting.lastLeftAt : now
    await this.#repository.endMeeting(meeting.id, endedAt)
  }

  /** #levels: meetings running now, people in them, and the largest one. */
  #levels(): Levels {
    const levels: Levels = { rooms: 0, participants: 0, largest: 0 }
    for (const meeting of this.#live.values()) {
      if (meeting.id === undefined || meeting.stays.size === 0) continue
      levels.rooms++
      levels.participants += meeting.stays.size
      levels.largest = Math.max(levels.largest, meeting.stays.size)
    }
    return levels
  }

  /** #notePeaks stores today's peaks when the current levels exceed them (or a new day began). */
  async #notePeaks(now: number): Promise<void> {
    const day = utcDay(now)
    const levels = this.#levels()
    if (this.#peaks.day !== day) this.#peaks = { day, rooms: 0, participants: 0, largest: 0 }
    const next = this.#peaks
    if (levels.rooms <= next.rooms && levels.participants <= next.participants && levels.largest <= next.largest) return
    next.rooms = Math.max(next.rooms, levels.rooms)
    next.participants = Math.max(next.participants, levels.participants)
    next.largest = Math.max(next.largest, levels.largest)
    await this.#repository.raisePeaks(day, next.rooms, next.participants, next.largest)
  }

  /** #armMidnight: meetings running across midnight count toward the new day's peaks too. */
  #armMidnight(): void {
    const now = Date.now()
    const next = Math.floor(now / 86_400_000) * 86_400_000 + 86_400_000 + 1000
    this.#midnight = setTimeout(() => {
      const now = this.#now()
      this.#queue('midnight', undefined, () => this.#notePeaks(now))
      this.#armMidnight()
    }, next - now)
    this.#midnight.unref()
  }

  /** #queue runs `write` after every write queued before it; a failure is logged, and the next runs. */
  #queue(what: string, room: Room | undefined, write: () => Promise<void>): void {
    this.#writes = this.#writes.then(write).catch((err: unknown) => {
      // History is a record, not the meeting: losing a row must never break a join or a leave.
      this.#log.error({ room: room?.id, event: what, err: (err as Error).message }, 'meeting history write failed')
    })
  }
}
