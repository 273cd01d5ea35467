// Measures what a node announces as its load, from the live room registry and the media workers
// (the same sources /metrics reads; nothing is counted twice).
import { availableParallelism } from 'node:os'
import type { RoomRegistry } from '../sfu/room-registry.ts'
import type { WorkerPool } from '../sfu/worker-pool.ts'

export interface NodeLoad {
  /** Share of the machine's cores the server and its media workers used since the last measure, 0..1. */
  cpu: number
  cores: number
  /** Media workers running. */
  workers: number
  rooms: number
  participants: number
  /** Media tracks the node forwards to participants. */
  consumers: number
}

/** The parts of the SFU a measure reads (the registry and the pool, or stand-ins built of the same). */
export interface LoadSources {
  registry: Pick<RoomRegistry, 'rooms'>
  pool: Pick<WorkerPool, 'live'>
}

/** A worker that does not answer must not hold up an announcement: its CPU is left out that time. */
const USAGE_TIMEOUT_MS = 500

const within = <T>(promise: Promise<T>, ms: number): Promise<T | undefined> => {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))
  return Promise.race([promise.catch(() => undefined), late]).finally(() => clearTimeout(timer))
}

/**
 * createLoadMeter returns measure(): each call gives the load since the previous call (the first call:
 * since the process started, for the server; 0 for the workers). Never throws.
 */
export function createLoadMeter(sources: LoadSources, cores = availableParallelism()): { measure(): Promise<NodeLoad> } {
  /** CPU milliseconds per worker pid at the last measure: a replaced worker starts from 0 again. */
  let workerCpu = new Map<number, number>()
  let serverCpu = process.cpuUsage()
  let at = performance.now()
  return {
    async measure() {
      let rooms = 0
      let participants = 0
      let consumers = 0
      for (const room of sources.registry.rooms()) {
        rooms++
        participants += room.peers.size
        for (const peer of room.peers.values()) consumers += peer.consumers.size
      }
      const live = sources.pool.live()
      const usage = await Promise.all(live.map((w) => within(w.worker.getResourceUsage(), USAGE_TIMEOUT_MS)))
      const now = performance.now()
      const nextCpu = new Map<number, number>()
      let usedMs = 0
      live.forEach((w, i) => {
        const u = usage[i]
        if (!u) return
        const total = u.ru_utime + u.ru_stime
        nextCpu.set(w.worker.pid, total)
        const before = workerCpu.get(w.worker.pid)
        if (before !== undefined) usedMs += Math.max(0, total - before)
      })
      const server = process.cpuUsage(serverCpu)
      usedMs += (server.user + server.system) / 1000
      const elapsedMs = Math.max(1, now - at)
      workerCpu = nextCpu
      serverCpu = process.cpuUsage()
      at = now
      const cpu = Math.min(1, usedMs / (elapsedMs * cores))
      return { cpu: Math.round(cpu * 1000) / 1000, cores, workers: live.length, rooms, participants, consumers }
    },
  }
}
