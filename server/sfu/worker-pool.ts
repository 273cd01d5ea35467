// Owns the mediasoup workers and their WebRtcServers; nothing else creates them. A worker that dies
// is replaced on the same media port, and listeners are told so they can rebuild their rooms.
import { EventEmitter } from 'node:events'
import * as mediasoup from 'mediasoup'
import type { types } from 'mediasoup'
import type { SfuLogger } from './logger.ts'

export interface MediaWorker {
  index: number
  worker: types.Worker
  webRtcServer: types.WebRtcServer
  pid: number
  port: number | undefined
}

export interface WorkerPoolOptions {
  count: number
  logLevel: types.WorkerLogLevel
  listenIp: string
  announcedAddress: string
  /** Worker N's WebRtcServer listens on basePort + N, UDP and TCP. */
  basePort: number
}

export interface WorkerPoolEvents {
  workerDied: [index: number]
  workerReplaced: [worker: MediaWorker]
}

export class NoMediaWorkerError extends Error {
  override name = 'NoMediaWorkerError'
}

export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
  readonly #options: WorkerPoolOptions
  readonly #log: SfuLogger
  readonly #slots: (MediaWorker | undefined)[]
  #next = 0
  #closed = false

  private constructor(options: WorkerPoolOptions, log: SfuLogger) {
    super()
    this.#options = options
    this.#log = log
    this.#slots = new Array<MediaWorker | undefined>(options.count).fill(undefined)
  }

  /** WorkerPool.create starts every worker; throws if one cannot start (e.g. its media port is taken). */
  static async create(options: WorkerPoolOptions, log: SfuLogger): Promise<WorkerPool> {
    const pool = new WorkerPool(options, log)
    try {
      for (let i = 0; i < options.count; i++) pool.#slots[i] = await pool.#start(i)
    } catch (err) {
      pool.close()
      throw err
    }
    return pool
  }

  async #start(index: number): Promise<MediaWorker> {
    const { listenIp, announcedAddress, basePort, logLevel } = this.#options
    const worker = await mediasoup.createWorker({ logLevel, appData: { index } })
    // Port 0 (tests) lets the worker pick free ports, UDP and TCP separately.
    const port = basePort === 0 ? undefined : basePort + index
    let webRtcServer: types.WebRtcServer
    try {
      webRtcServer = await worker.createWebRtcServer({
        listenInfos: [
          { protocol: 'udp', ip: listenIp, announcedIp: announcedAddress, port },
          { protocol: 'tcp', ip: listenIp, announcedIp: announcedAddress, port },
        ],
      })
    } catch (err) {
      worker.close()
      throw new Error(
        `media worker ${index} cannot listen on ${listenIp}:${port ?? 'any'} (UDP+TCP): ${(err as Error).message}; ` +
          'free the port or set media.port / media.listenIp',
      )
    }
    const mw: MediaWorker = { index, worker, webRtcServer, pid: worker.pid, port }
    worker.on('died', (err) => this.#onDied(mw, err))
    this.#log.info({ index, pid: worker.pid, port }, 'media worker started')
    return mw
  }

  #onDied(mw: MediaWorker, err: Error): void {
    if (this.#closed || this.#slots[mw.index] !== mw) return
    this.#log.error({ index: mw.index, pid: mw.pid, err: err.message }, 'media worker died; starting a replacement')
    this.#slots[mw.index] = undefined
    this.emit('workerDied', mw.index)
    void this.#replace(mw.index, 0)
  }

  async #replace(index: number, attempt: number): Promise<void> {
    if (this.#closed) return
    try {
      const mw = await this.#start(index)
      if (this.#closed) {
        mw.worker.close()
        return
      }
      this.#slots[index] = mw
      this.emit('workerReplaced', mw)
    } catch (err) {
      const delay = Math.min(5000, 100 * 2 ** attempt)
      this.#log.error({ index, attempt, err: (err as Error).message }, `media worker restart failed; retrying in ${delay} ms`)
      setTimeout(() => void this.#replace(index, attempt + 1), delay).unref()
    }
  }

  /** next returns a live worker, round-robin. Throws NoMediaWorkerError when none is alive. */
  next(): MediaWorker {
    for (let i = 0; i < this.#slots.length; i++) {
      const slot = this.#slots[(this.#next + i) % this.#slots.length]
      if (slot) {
        this.#next = (slot.index + 1) % this.#slots.length
        return slot
      }
    }
    throw new NoMediaWorkerError('no media worker is running')
  }

  /** get returns worker `index` if it is alive. */
  get(index: number): MediaWorker | undefined {
    return this.#slots[index]
  }

  live(): MediaWorker[] {
    return this.#slots.filter((s): s is MediaWorker => s !== undefined)
  }

  get size(): number {
    return this.#slots.length
  }

  close(): void {
    this.#closed = true
    for (const slot of this.#slots) slot?.worker.close()
    this.#slots.fill(undefined)
  }
}
