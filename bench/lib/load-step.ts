// One measured load step: R rooms of P synthetic participants, everyone publishing and everyone
// seeing everyone, on one target. Sets the rooms up, waits until every subscriber receives every
// stream, warms up, then measures one window of CPU, packets, loss and delay, and tears down.
import { performance } from 'node:perf_hooks'
import { Pacer } from './pacer.ts'
import { cpuNs, machineTimes, rssBytes, udpReceiveErrors } from './proc.ts'
import type { ReceiveSide } from './receive-side.ts'
import { sleep } from './stats.ts'
import { SyntheticPeer } from './synthetic-peer.ts'
import type { SfuTarget } from './targets/target.ts'

export interface StepSpec {
  rooms: number
  participants: number
  srtp: boolean
  warmupMs: number
  measureMs: number
}

export interface StepSample {
  target: string
  rooms: number
  participants: number
  srtp: boolean
  /** Packets the subscribers received in the window: what the workers forwarded. */
  forwarded: number
  /** Lost / expected packets, from each received stream's sequence numbers (RFC 3550). */
  loss: number
  /**
   * 1 - forwarded / (sent x subscribers): near 0 when every stream arrives on its top layer (packets
   * in flight at the window's edges make it wobble by a few tenths of a percent).
   */
  deliveryGap: number
  workerCpuUsPerPacket: number
  packetsPerCoreSecond: number
  /** Cores the target's workers kept busy (1 = one core). */
  workerLoad: number
  delayP50Ms: number
  delayP99Ms: number
  /** Share of a core the target's Node process used, per participant. */
  controlCpuPerParticipant: number
  /** Resident memory of the target's Node process above its idle size, per participant (bytes). */
  controlRssPerParticipant: number
  /** Cores the generator (this process and its receive side) kept busy. */
  generatorLoad: number
  /** Busy time of the machine not spent by the targets or the generator, in cores. */
  foreignLoad: number
  udpBufferDrops: number
  setupMs: number
  /** Subscribers that did not get every stream before the window (0 when the rooms set up fully). */
  incomplete: number
}

interface Snapshot {
  at: number
  workers: number
  control: number
  generator: number
  others: number
  machine: number
  udpDrops: number
}

function snapshot(target: SfuTarget, generator: number[], others: number[]): Snapshot {
  const p = target.processes()
  const sum = (pids: number[]): number => pids.reduce((a, pid) => a + cpuNs(pid), 0)
  return {
    at: performance.now(),
    workers: sum(p.workers),
    control: cpuNs(p.control),
    generator: sum(generator),
    others: sum(others),
    machine: machineTimes().busyNs.reduce((a, b) => a + b, 0),
    udpDrops: udpReceiveErrors(),
  }
}

/** setUp joins every participant of every room (rooms in parallel, participants one by one) into `all`. */
async function setUp(target: SfuTarget, spec: StepSpec, receiver: ReceiveSide, pacer: Pacer, all: SyntheticPeer[]): Promise<void> {
  const rooms = await Promise.all(Array.from({ length: spec.rooms }, () => target.createRoom()))
  await Promise.all(
    rooms.map(async (room, r) => {
      for (let i = 0; i < spec.participants; i++) {
        all.push(await SyntheticPeer.join(target, room, `r${r}p${i}`, { srtp: spec.srtp, publish: true, receiver, pacer }))
      }
    }),
  )
}

/** complete counts subscribers that receive every other participant's audio and video. */
async function complete(peers: SyntheticPeer[], receiver: ReceiveSide, participants: number): Promise<number> {
  await receiver.report()
  return peers.filter((p) => p.inbox.streams >= (participants - 1) * 2).length
}

/**
 * runStep measures one step on `target`, receiving on `receiver`. `idleRss` is the target's Node
 * RSS with no rooms; `others` are pids whose CPU is ours but not this target's (the other target).
 */
export async function runStep(target: SfuTarget, spec: StepSpec, receiver: ReceiveSide, idleRss: number, others: number[]): Promise<StepSample> {
  const pacer = new Pacer()
  const generator = [...new Set([process.pid, receiver.pid])]
  const t0 = performance.now()
  const all: SyntheticPeer[] = []
  try {
    await setUp(target, spec, receiver, pacer, all)
    const deadline = performance.now() + 10_000
    while ((await complete(all, receiver, spec.participants)) < all.length && performance.now() < deadline) await sleep(100)
    const setupMs = performance.now() - t0
    await sleep(spec.warmupMs)

    const published = (): number => all.reduce((n, p) => n + (p.publisher?.counters.audioPackets ?? 0) + (p.publisher?.counters.topLayerPackets ?? 0), 0)
    await receiver.reset()
    const sent0 = published()
    const a = snapshot(target, generator, others)
    await sleep(spec.measureMs)
    const b = snapshot(target, generator, others)
    const sent1 = published()
    const r = await receiver.report()
    const rss = rssBytes(target.processes().control)
    const incomplete = all.length - (await complete(all, receiver, spec.participants))

    const windowNs = (b.at - a.at) * 1e6
    const workerNs = b.workers - a.workers
    const expected = (sent1 - sent0) * (spec.participants - 1)
    const ours = workerNs + (b.control - a.control) + (b.generator - a.generator) + (b.others - a.others)
    const n = spec.rooms * spec.participants
    return {
      target: target.name,
      rooms: spec.rooms,
      participants: spec.participants,
      srtp: spec.srtp,
      forwarded: r.received,
      loss: r.expected > 0 ? Math.max(0, 1 - r.received / r.expected) : 0,
      deliveryGap: expected > 0 ? 1 - r.received / expected : 0,
      workerCpuUsPerPacket: r.received > 0 ? workerNs / 1000 / r.received : Number.NaN,
      packetsPerCoreSecond: workerNs > 0 ? r.received / (workerNs / 1e9) : Number.NaN,
      workerLoad: workerNs / windowNs,
      delayP50Ms: r.delayP50Ms,
      delayP99Ms: r.delayP99Ms,
      controlCpuPerParticipant: (b.control - a.control) / windowNs / n,
      controlRssPerParticipant: Math.max(0, rss - idleRss) / n,
      generatorLoad: (b.generator - a.generator) / windowNs,
      foreignLoad: Math.max(0, (b.machine - a.machine - ours) / windowNs),
      udpBufferDrops: b.udpDrops - a.udpDrops,
      setupMs,
      incomplete,
    }
  } finally {
    await Promise.all(all.map((p) => p.leave()))
  }
}
