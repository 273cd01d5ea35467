// Owns the live rooms: creates each at most once (concurrent joins wait for the same creation),
// spreads them over the workers, forgets them when they close, and rebuilds them when a worker dies.
import { EventEmitter } from 'node:events'
import type { SfuLogger } from './logger.ts'
import { Room } from './room.ts'
import type { MediaWorker, WorkerPool } from './worker-pool.ts'

export interface RoomRegistryOptions {
  chatHistory: number
  maxIncomingBitrate: number
  plainTransports?: { listenIp: string; announcedIp: string } | undefined
  peersPerWorker?: number
}

export interface RoomRegistryEvents {
  /** A room was created, before anyone is in it: observers (the meeting history) subscribe to it here. */
  roomOpened: [Room]
}

export class RoomRegistry extends EventEmitter<RoomRegistryEvents> {
  readonly #pool: WorkerPool
  readonly #log: SfuLogger
  readonly #options: RoomRegistryOptions
  readonly #rooms = new Map<string, Room>()
  readonly #creating = new Map<string, Promise<Room>>()

  constructor(pool: WorkerPool, options: RoomRegistryOptions, log: SfuLogger) {
    super()
    this.#pool = pool
    this.#options = options
    this.#log = log
    pool.on('workerDied', (index) => {
      for (const room of this.#rooms.values()) if (room.workerIndex === index) room.detachMedia()
    })
    pool.on('workerReplaced', (worker) => this.#onWorkerReplaced(worker))
  }

  #onWorkerReplaced(worker: MediaWorker): void {
    for (const room of this.#rooms.values()) {
      if (room.workerIndex !== undefined) continue
      room.resetMedia(worker, 'media worker restarted').catch((err: Error) => {
        this.#log.error({ room: room.id, err: err.message }, 'room media reset failed; closing room')
        room.close('shutdown')
      })
    }
  }

  /** isLive: someone is in room `id`, or it is being opened. */
  isLive(id: string): boolean {
    return this.#creating.has(id) || (this.#rooms.get(id)?.closed === false)
  }

  /** liveOrOpening counts live rooms and rooms being opened. */
  get liveOrOpening(): number {
    return this.#rooms.size + this.#creating.size
  }

  get(id: string): Room | undefined {
    return this.#rooms.get(id)
  }

  /** open returns the live room `id`, creating it on the next worker if nobody is in it yet. */
  async open(id: string, title: string): Promise<Room> {
    const live = this.#rooms.get(id)
    if (live && !live.closed) return live
    const pending = this.#creating.get(id)
    if (pending) return pending
    const spareWorker = (busy: number[]): MediaWorker | undefined => this.#spareWorker(busy)
    const creation = Room.create({ id, title, ...this.#options, spareWorker }, this.#pool.next(), this.#log)
      .then((room) => {
        this.#rooms.set(id, room)
        room.once('close', () => {
          if (this.#rooms.get(id) === room) this.#rooms.delete(id)
        })
        this.emit('roomOpened', room)
        return room
      })
      .finally(() => this.#creating.delete(id))
    this.#creating.set(id, creation)
    return creation
  }

  /** #spareWorker: the next live worker, round-robin, that hosts none of a room's routers (`busy`). */
  #spareWorker(busy: number[]): MediaWorker | undefined {
    for (let i = 0; i < this.#pool.live().length; i++) {
      const w = this.#pool.next()
      if (!busy.includes(w.index)) return w
    }
    return undefined
  }

  /** close ends room `id` for everyone in it, e.g. when it is deleted. */
  close(id: string, reason: 'deleted' | 'shutdown'): void {
    this.#rooms.get(id)?.close(reason)
  }

  closeAll(reason: 'deleted' | 'shutdown'): void {
    for (const room of [...this.#rooms.values()]) room.close(reason)
  }

  /** rooms lists the live rooms, for read-only observers (metrics); never change them through it. */
  rooms(): IterableIterator<Room> {
    return this.#rooms.values()
  }

  participants(id: string): number {
    return this.#rooms.get(id)?.peers.size ?? 0
  }

  get size(): number {
    return this.#rooms.size
  }
}
