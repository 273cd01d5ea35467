// Gathers what /metrics reports at the moment of a scrape: live state is read from the room
// registry, the worker pool and the license (nothing is tracked twice); events come from OpsCounters.
import type { types } from 'mediasoup'
import type { LicenseKind } from '../../license-keys/claims.ts'
import type { LicenseStatus } from '../license/evaluate.ts'
import type { RoomRegistry } from '../sfu/room-registry.ts'
import type { WorkerPool } from '../sfu/worker-pool.ts'
import type { OpsCounters } from './counters.ts'
import { PrometheusText, type Sample } from './prometheus-text.ts'

export interface MetricSources {
  registry: RoomRegistry
  pool: WorkerPool
  licenseStatus: () => LicenseStatus
  /** undefined without a license. */
  licenseKind: () => LicenseKind | undefined
  counters: OpsCounters
  version: string
}

const LICENSE_STATUSES: LicenseStatus[] = ['active', 'unlicensed', 'suspended', 'invalid']
const LICENSE_KINDS: LicenseKind[] = ['commercial', 'evaluation', 'development']

/** A worker that does not answer must not hang the scrape: its figures are left out instead. */
const STATS_TIMEOUT_MS = 2000

function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms)
  })
  return Promise.race([promise.catch(() => undefined), timeout]).finally(() => clearTimeout(timer))
}

interface Bitrate {
  recvBitrate: number
  sendBitrate: number
}

/**
 * bitrates sums the participants' transports' current bitrates (mediasoup's own per-transport
 * measure over the last second; RTP, RTX, RTCP and probing). One IPC request per transport, made
 * only when scraped. Inter-worker pipes and the recorder's tap are not participants' traffic.
 */
async function bitrates(transports: types.Transport[]): Promise<{ in: number; out: number } | undefined> {
  const stats = await within(
    Promise.all(transports.map((t) => t.getStats().then((s) => (s as Bitrate[])[0], () => undefined))),
    STATS_TIMEOUT_MS,
  )
  if (!stats) return undefined
  let inBits = 0
  let outBits = 0
  for (const s of stats) {
    inBits += s?.recvBitrate ?? 0
    outBits += s?.sendBitrate ?? 0
  }
  return { in: inBits, out: outBits }
}

/** byKind counts `values` per kind; every kind appears, as 0 when absent, so no series vanishes. */
const byKind = (values: string[], kinds: string[]): Sample[] => kinds.map((kind) => ({ labels: { kind }, value: values.filter((v) => v === kind).length }))

/** renderMetrics returns the whole /metrics page. */
export async function renderMetrics(s: MetricSources): Promise<string> {
  let rooms = 0
  const participants: string[] = []
  const producers: string[] = []
  const consumers: string[] = []
  const transports: types.Transport[] = []
  for (const room of s.registry.rooms()) {
    rooms++
    for (const peer of room.peers.values()) {
      participants.push(peer.kind)
      for (const p of peer.producers.values()) producers.push(p.kind)
      for (const c of peer.consumers.values()) consumers.push(c.kind)
      transports.push(...peer.transports.values())
    }
  }
  const workers = Array.from({ length: s.pool.size }, (_, index) => ({ index, live: s.pool.get(index) }))
  const [usage, rates] = await Promise.all([
    Promise.all(workers.map((w) => (w.live ? within(w.live.worker.getResourceUsage(), STATS_TIMEOUT_MS) : Promise.resolve(undefined)))),
    bitrates(transports),
  ])

  const text = new PrometheusText()
  text.add('veche_info', 'gauge', 'The running Veche release (always 1).', [{ labels: { version: s.version }, value: 1 }])
  text.add('veche_rooms', 'gauge', 'Meetings in progress (rooms with someone in them).', [{ value: rooms }])
  text.add('veche_participants', 'gauge', 'People in meetings, by kind (internal: signed-in employee; guest).', byKind(participants, ['internal', 'guest']))
  text.add('veche_producers', 'gauge', 'Media tracks sent to the server, by kind.', byKind(producers, ['audio', 'video']))
  text.add('veche_consumers', 'gauge', 'Media tracks the server forwards to participants, by kind.', byKind(consumers, ['audio', 'video']))
  if (rates) {
    text.add('veche_media_receive_bits_per_second', 'gauge', "Bitrate participants send to the server: sum of their transports' current receive bitrate (mediasoup, last second).", [{ value: rates.in }])
    text.add('veche_media_send_bits_per_second', 'gauge', "Bitrate the server sends to participants: sum of their transports' current send bitrate (mediasoup, last second).", [{ value: rates.out }])
  }
  text.add('veche_media_worker_up', 'gauge', 'Whether media worker N is running (0 while it is being replaced).', workers.map((w) => ({ labels: { worker: String(w.index) }, value: w.live ? 1 : 0 })))
  text.add(
    'veche_media_worker_cpu_seconds_total',
    'counter',
    'CPU time (user + system) of media worker N; restarts from 0 when the worker is replaced.',
    workers.flatMap((w, i) => {
      const u = usage[i]
      return u ? [{ labels: { worker: String(w.index) }, value: (u.ru_utime + u.ru_stime) / 1000 }] : []
    }),
  )
  text.add('veche_media_worker_deaths_total', 'counter', 'Media workers that died (each is replaced on the same port).', [{ value: s.counters.workerDeaths }])
  text.add('veche_signaling_joins_total', 'counter', 'Successful joins of a meeting.', [{ value: s.counters.joins }])
  text.add(
    'veche_signaling_join_failures_total',
    'counter',
    'Joins refused or failed, by signaling error code (e.g. room_full, room_limit, license_required).',
    [...s.counters.joinFailures].sort().map(([code, value]) => ({ labels: { code }, value })),
  )
  const status = s.licenseStatus()
  text.add('veche_license_status', 'gauge', 'License state: 1 for the current status, 0 for the others. Meetings run only when active.', LICENSE_STATUSES.map((st) => ({ labels: { status: st }, value: st === status ? 1 : 0 })))
  const kind = s.licenseKind()
  text.add(
    'veche_license_kind',
    'gauge',
    'Kind of the installed license: 1 for the current of commercial, evaluation, development (a development license is not for production); all 0 without one.',
    LICENSE_KINDS.map((k) => ({ labels: { kind: k }, value: k === kind ? 1 : 0 })),
  )

  const cpu = process.cpuUsage()
  text.add('process_cpu_seconds_total', 'counter', 'CPU time (user + system) of the server process, media workers not included.', [{ value: (cpu.user + cpu.system) / 1e6 }])
  text.add('process_resident_memory_bytes', 'gauge', 'Resident memory of the server process.', [{ value: process.memoryUsage.rss() }])
  text.add('process_start_time_seconds', 'gauge', 'When the server process started (unix seconds).', [{ value: Math.round(Date.now() / 1000 - process.uptime()) }])
  return text.toString()
}
