// Owns the routers of one room: a primary router (with the active-speaker observer) and, once a
// worker's share of the room is full, routers on other workers. Each peer is homed on one router
// (its transports live there); a producer is piped (pipeToRouter) into every other router of the
// room that has someone consuming it, so a big room's fan-out is spread over several cores.
import type { types } from 'mediasoup'
import type { SfuLogger } from './logger.ts'
import { mediaCodecs } from './media-codecs.ts'
import type { PeerId } from './peer.ts'
import type { MediaWorker } from './worker-pool.ts'

export interface RouterSlot {
  readonly worker: MediaWorker
  readonly router: types.Router
  /** Peers homed here. */
  readonly peers: Set<PeerId>
}

export interface RoomMediaOptions {
  room: string
  /** Peers one router carries before new peers go to another worker's router; 0: never spread. */
  peersPerWorker: number
  /** A live worker that hosts none of `busy` (worker indexes), or undefined when every worker does. */
  spareWorker: (busy: number[]) => MediaWorker | undefined
  /** Called when a non-primary router's worker died: these peers' media is gone. */
  onSlotLost: (peers: PeerId[]) => void
}

export class RoomMedia {
  readonly primary: RouterSlot
  readonly speaker: types.ActiveSpeakerObserver
  readonly #slots: RouterSlot[]
  readonly #home = new Map<PeerId, RouterSlot>()
  /** Routers each producer is already piped into (or being piped into), by producer id. */
  readonly #piped = new Map<string, Map<string, Promise<void>>>()
  readonly #options: RoomMediaOptions
  readonly #log: SfuLogger
  /** Serializes homing so that concurrent joins cannot open two spill-over routers at once. */
  #homing: Promise<unknown> = Promise.resolve()
  #closed = false

  private constructor(primary: RouterSlot, speaker: types.ActiveSpeakerObserver, options: RoomMediaOptions, log: SfuLogger) {
    this.primary = primary
    this.speaker = speaker
    this.#slots = [primary]
    this.#options = options
    this.#log = log
  }

  /** RoomMedia.create opens the room's primary router and speaker observer on `worker`. */
  static async create(worker: MediaWorker, options: RoomMediaOptions, log: SfuLogger): Promise<RoomMedia> {
    const router = await worker.worker.createRouter({ mediaCodecs })
    const speaker = await router.createActiveSpeakerObserver({ interval: 300 })
    return new RoomMedia({ worker, router, peers: new Set() }, speaker, options, log)
  }

  get routers(): readonly RouterSlot[] {
    return this.#slots
  }

  /** slotOf returns the router `peer` is homed on, if it has one yet. */
  slotOf(peer: PeerId): RouterSlot | undefined {
    return this.#home.get(peer)
  }

  /**
   * homeOf returns the router `peer`'s transports live on, choosing one on first call: the first
   * router of the room with room for it, else a new router on a worker the room does not use yet,
   * else the least loaded router of the room.
   */
  homeOf(peer: PeerId): Promise<RouterSlot> {
    const known = this.#home.get(peer)
    if (known) return Promise.resolve(known)
    const next = this.#homing.then(() => this.#choose(peer))
    this.#homing = next.catch(() => undefined)
    return next
  }

  async #choose(peer: PeerId): Promise<RouterSlot> {
    const known = this.#home.get(peer)
    if (known) return known
    const cap = this.#options.peersPerWorker
    let slot = cap === 0 ? this.primary : this.#slots.find((s) => s.peers.size < cap)
    if (!slot) {
      const worker = this.#options.spareWorker(this.#slots.map((s) => s.worker.index))
      slot = worker ? await this.#open(worker) : this.#slots.reduce((a, b) => (b.peers.size < a.peers.size ? b : a))
    }
    slot.peers.add(peer)
    this.#home.set(peer, slot)
    return slot
  }

  async #open(worker: MediaWorker): Promise<RouterSlot> {
    const router = await worker.worker.createRouter({ mediaCodecs })
    const slot: RouterSlot = { worker, router, peers: new Set() }
    if (this.#closed) {
      router.close()
      throw new Error('room closed')
    }
    this.#slots.push(slot)
    router.on('workerclose', () => this.#lose(slot))
    this.#log.info({ room: this.#options.room, worker: worker.index, routers: this.#slots.length }, 'room spread onto another worker')
    return slot
  }

  #lose(slot: RouterSlot): void {
    const i = this.#slots.indexOf(slot)
    if (i <= 0 || this.#closed) return
    this.#slots.splice(i, 1)
    for (const routers of this.#piped.values()) routers.delete(slot.router.id)
    const peers = [...slot.peers]
    for (const p of peers) this.#home.delete(p)
    this.#log.warn({ room: this.#options.room, worker: slot.worker.index, peers: peers.length }, 'a worker of a spread room died')
    this.#options.onSlotLost(peers)
  }

  /**
   * release forgets `peer`'s home; its transports are closed by the caller. A spill-over router left
   * empty is closed, with the pipes into it: they would forward to nobody.
   */
  release(peer: PeerId): void {
    const slot = this.#home.get(peer)
    this.#home.delete(peer)
    if (!slot) return
    slot.peers.delete(peer)
    if (slot === this.primary || slot.peers.size > 0) return
    this.#slots.splice(this.#slots.indexOf(slot), 1)
    for (const routers of this.#piped.values()) routers.delete(slot.router.id)
    slot.router.close()
  }

  /**
   * ensureOn makes `producer` (living on `from`) consumable on `to`: a no-op on the same router,
   * else one pipeToRouter per producer and router, shared by every consumer there.
   */
  ensureOn(producer: types.Producer, from: RouterSlot, to: RouterSlot): Promise<void> {
    if (from.router === to.router) return Promise.resolve()
    let routers = this.#piped.get(producer.id)
    if (!routers) {
      routers = new Map()
      this.#piped.set(producer.id, routers)
      producer.observer.once('close', () => this.#piped.delete(producer.id))
    }
    let piping = routers.get(to.router.id)
    if (!piping) {
      piping = from.router.pipeToRouter({ producerId: producer.id, router: to.router }).then(() => undefined)
      routers.set(to.router.id, piping)
      // A failed pipe may be retried by the next consumer.
      piping.catch(() => routers.delete(to.router.id))
    }
    return piping
  }

  /** addSpeaker lets the active-speaker observer (on the primary router) hear an audio producer. */
  async addSpeaker(producer: types.Producer, from: RouterSlot): Promise<void> {
    await this.ensureOn(producer, from, this.primary)
    await this.speaker.addProducer({ producerId: producer.id })
  }

  /** close closes every router of the room (transports, producers and consumers with them). */
  close(): void {
    this.#closed = true
    for (const s of this.#slots) s.router.close()
    this.#home.clear()
    this.#piped.clear()
  }
}
