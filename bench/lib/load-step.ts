// One measured load step: R rooms of P synthetic participants, everyone publishing and everyone
// seeing everyone, on one target. Sets the rooms up, waits until every subscriber receives every
// stream, warms up, then measures one window of CPU, packets, loss and delay, and tears down.
// With sampled receivers (sampled-receivers.ts) only a few subscribers per room are counted; the
// others receive on null ports, and the worker figures still cover everything forwarded.
// SRTP steps on the C sink publish from it too, so SRTP costs the generator C, not Node, time.
import { performance } from 'node:perf_hooks'
import type { NullArrivals, NullPorts } from './null-port.ts'
import { Pacer } from './pacer.ts'
import { cpuNs, machineTimes, rssBytes, softirqThreads, udpReceiveErrors } from './proc.ts'
import type { PortOpener, ReceiveSide } from './receive-side.ts'
import { sampledIndexes } from './sampled-receivers.ts'
import { SinkReceiveSide } from './sink.ts'
import type { SrtpSuite } from './srtp.ts'
import { sleep } from './stats.ts'
import { SyntheticPeer } from './synthetic-peer.ts'
import type { SfuTarget } from './targets/target.ts'

export interface StepSpec {
  rooms: number
  participants: number
  srtp: boolean
  /** The SRTP suite of an SRTP step (default AES_CM_128_HMAC_SHA1_80). */
  suite?: SrtpSuite
  warmupMs: number
  measureMs: number
  /**
   * Subscribers per room counted for loss and delay (spread over the join order); the others
   * receive on null ports. undefined: every subscriber is counted.
   */
  sampleReceivers?: number
}

export interface StepSample {
  target: string
  rooms: number
  participants: number
  srtp: boolean
  suite?: SrtpSuite
  /**
   * Packets that reached the subscribers' sockets in the window: what the workers forwarded. The
   * counted subscribers' packets plus, with sampled receivers, those that reached the null ports.
   */
  forwarded: number
  /** Subscribers counted for loss and delay, of all subscribers (equal unless receivers were sampled). */
  countedSubscribers: number
  subscribers: number
  /** Packets that reached the null ports in the window (0 without sampled receivers). */
  nullPortPackets: number
  /** Lost / expected packets, from each counted stream's sequence numbers (RFC 3550). */
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
  /** The same per worker: with a room spread over workers, each must stay below its core. */
  workerLoads: number[]
  delayP50Ms: number
  delayP99Ms: number
  /** Share of a core the target's Node process used, per participant. */
  controlCpuPerParticipant: number
  /** Resident memory of the target's Node process above its idle size, per participant (bytes). */
  controlRssPerParticipant: number
  /** Cores the generator (this process and its receive side) kept busy. */
  generatorLoad: number
  /**
   * Cores the kernel's softirq threads (ksoftirqd) kept busy: packet delivery the kernel deferred
   * from the senders' system calls under load, so not in the worker's CPU. Counted as ours, not
   * foreign, though on a shared machine some of it may be other traffic.
   */
  softirqLoad: number
  /** Busy time of the machine not spent by the targets, the generator or ksoftirqd, in cores. */
  foreignLoad: number
  /** UDP datagrams dropped for a full socket buffer anywhere on the machine, not counting the null ports. */
  udpBufferDrops: number
  setupMs: number
  /**
   * Subscribers not fully set up before the window (0 when the rooms set up fully): a counted one
   * that does not receive every stream, a null-port one without a running consumer for each.
   */
  incomplete: number
  /** Packets the C sink could not protect or unprotect in the window (SRTP on the sink; else 0). */
  srtpErrors: number
}

interface Snapshot {
  at: number
  workers: number
  /** CPU of each worker, in processes() order. */
  perWorker: number[]
  control: number
  generator: number
  others: number
  softirq: number
  machine: number
  udpDrops: number
}

const SOFTIRQ = softirqThreads()

function snapshot(target: SfuTarget, generator: number[], others: number[]): Snapshot {
  const p = target.processes()
  const sum = (pids: number[]): number => pids.reduce((a, pid) => a + cpuNs(pid), 0)
  return {
    at: performance.now(),
    workers: sum(p.workers),
    perWorker: p.workers.map(cpuNs),
    control: cpuNs(p.control),
    generator: sum(generator),
    others: sum(others),
    softirq: sum(SOFTIRQ),
    machine: machineTimes().busyNs.reduce((a, b) => a + b, 0),
    udpDrops: udpReceiveErrors(),
  }
}

/**
 * setUp joins every participant of every room (rooms in parallel, participants one by one) into
 * `all`; the sampled ones (all without `nulls`) receive on `receiver` and go into `counted` too.
 */
async function setUp(
  target: SfuTarget,
  spec: StepSpec,
  receiver: ReceiveSide,
  nulls: NullPorts | undefined,
  pacer: Pacer,
  all: SyntheticPeer[],
  counted: Set<SyntheticPeer>,
): Promise<void> {
  const sampled = sampledIndexes(spec.participants, nulls ? spec.sampleReceivers : undefined)
  const publishIn = sinkPublishing(spec, receiver)
  const rooms = await Promise.all(Array.from({ length: spec.rooms }, () => target.createRoom()))
  await Promise.all(
    rooms.map(async (room, r) => {
      for (let i = 0; i < spec.participants; i++) {
        const on: PortOpener = sampled.has(i) || !nulls ? receiver : nulls
        const peer = await SyntheticPeer.join(target, room, `r${r}p${i}`, {
          srtp: spec.srtp,
          ...(spec.suite ? { suite: spec.suite } : {}),
          ...(publishIn ? { publishIn } : {}),
          publish: true,
          receiver: on,
          pacer,
        })
        all.push(peer)
        if (on === receiver) counted.add(peer)
      }
    }),
  )
}

/** sinkPublishing returns the C sink when it sends a step's media: SRTP steps received on it. */
const sinkPublishing = (spec: StepSpec, receiver: ReceiveSide): SinkReceiveSide | undefined =>
  spec.srtp && receiver instanceof SinkReceiveSide ? receiver : undefined

/**
 * complete counts subscribers that are fully set up: a counted one receives every other
 * participant's audio and video; one on a null port, whose packets nobody reads, has a running
 * consumer for each (so setup waits for streams on the counted ports only).
 */
async function complete(peers: SyntheticPeer[], counted: Set<SyntheticPeer>, receiver: ReceiveSide, participants: number): Promise<number> {
  await receiver.report()
  const want = (participants - 1) * 2
  return peers.filter((p) => (counted.has(p) ? p.inbox.streams : p.consumers) >= want).length
}

/**
 * runStep measures one step on `target`, receiving on `receiver`. `idleRss` is the target's Node
 * RSS with no rooms; `others` are pids whose CPU is ours but not this target's (the other target).
 * With `spec.sampleReceivers`, the subscribers not sampled receive on `nulls`; throws if it is missing.
 */
export async function runStep(
  target: SfuTarget,
  spec: StepSpec,
  receiver: ReceiveSide,
  idleRss: number,
  others: number[],
  nulls?: NullPorts,
): Promise<StepSample> {
  const sampling = spec.sampleReceivers !== undefined && spec.sampleReceivers < spec.participants
  if (sampling && !nulls) throw new Error('sampled receivers need null ports, which the C sink holds (no C compiler here?)')
  const nullPorts = sampling ? nulls : undefined
  const arrived = async (): Promise<NullArrivals> => (nullPorts ? nullPorts.arrived() : { drained: 0, dropped: 0 })
  const pacer = new Pacer()
  const generator = [...new Set([process.pid, receiver.pid])]
  const t0 = performance.now()
  const all: SyntheticPeer[] = []
  const counted = new Set<SyntheticPeer>()
  try {
    await setUp(target, spec, receiver, nullPorts, pacer, all, counted)
    const deadline = performance.now() + 10_000
    while ((await complete(all, counted, receiver, spec.participants)) < all.length && performance.now() < deadline) await sleep(100)
    const setupMs = performance.now() - t0
    await sleep(spec.warmupMs)

    const sink = sinkPublishing(spec, receiver)
    const zero = { published: 0, srtpErrors: 0 }
    const sinkTotals = async (): Promise<{ published: number; srtpErrors: number }> => (sink ? sink.publisherTotals() : zero)
    const inNode = (): number => all.reduce((n, p) => n + (p.publisher?.counters.audioPackets ?? 0) + (p.publisher?.counters.topLayerPackets ?? 0), 0)
    await receiver.reset()
    const sink0 = await sinkTotals()
    const sent0 = inNode() + sink0.published
    // The null ports are read right after each snapshot, so both ends of their window lag alike.
    const a = snapshot(target, generator, others)
    const nullsA = await arrived()
    await sleep(spec.measureMs)
    const b = snapshot(target, generator, others)
    const nullsB = await arrived()
    const sink1 = await sinkTotals()
    const sent1 = inNode() + sink1.published
    const r = await receiver.report()
    const rss = rssBytes(target.processes().control)
    const incomplete = all.length - (await complete(all, counted, receiver, spec.participants))

    const windowNs = (b.at - a.at) * 1e6
    const workerNs = b.workers - a.workers
    const expected = (sent1 - sent0) * (spec.participants - 1)
    const softirqNs = b.softirq - a.softirq
    const ours = workerNs + (b.control - a.control) + (b.generator - a.generator) + (b.others - a.others) + softirqNs
    const n = spec.rooms * spec.participants
    // What reached the null ports is forwarded too: the worker paid for it like for the rest.
    const nullDropped = nullsB.dropped - nullsA.dropped
    const nullPortPackets = nullsB.drained - nullsA.drained + nullDropped
    const forwarded = r.received + nullPortPackets
    return {
      target: target.name,
      rooms: spec.rooms,
      participants: spec.participants,
      srtp: spec.srtp,
      ...(spec.suite ? { suite: spec.suite } : {}),
      forwarded,
      countedSubscribers: counted.size,
      subscribers: all.length,
      nullPortPackets,
      loss: r.expected > 0 ? Math.max(0, 1 - r.received / r.expected) : 0,
      deliveryGap: expected > 0 ? 1 - forwarded / expected : 0,
      workerCpuUsPerPacket: forwarded > 0 ? workerNs / 1000 / forwarded : Number.NaN,
      packetsPerCoreSecond: workerNs > 0 ? forwarded / (workerNs / 1e9) : Number.NaN,
      workerLoad: workerNs / windowNs,
      workerLoads: b.perWorker.map((ns, i) => (ns - (a.perWorker[i] ?? 0)) / windowNs),
      delayP50Ms: r.delayP50Ms,
      delayP99Ms: r.delayP99Ms,
      controlCpuPerParticipant: (b.control - a.control) / windowNs / n,
      controlRssPerParticipant: Math.max(0, rss - idleRss) / n,
      generatorLoad: (b.generator - a.generator) / windowNs,
      softirqLoad: softirqNs / windowNs,
      foreignLoad: Math.max(0, (b.machine - a.machine - ours) / windowNs),
      udpBufferDrops: Math.max(0, b.udpDrops - a.udpDrops - nullDropped),
      setupMs,
      incomplete,
      srtpErrors: sink1.srtpErrors - sink0.srtpErrors,
    }
  } finally {
    await Promise.all(all.map((p) => p.leave()))
  }
}
