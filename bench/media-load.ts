// Media forwarding cost and room capacity, Veche against bare mediasoup in the same run.
// Run: bin/veche-node bench/media-load.ts [--quick] [--reps N] [--out FILE] [--sample-receivers N|all]
//      bin/veche-node bench/media-load.ts --only spread [--spread N]   (the room beyond one worker only)
// Prints a table per phase and writes every sample to a JSON file (bench/README.md explains both).
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { idleRss, pinGenerator, pinTarget, startReceivers, stopOnSignal, udpBuffers, unpinTarget, verdict, type Receivers } from './lib/bench-env.ts'
import { runStep, type StepSample, type StepSpec } from './lib/load-step.ts'
import { packetRates } from './lib/media-profile.ts'
import { NULL_MODES, type NullMode } from './lib/null-port.ts'
import { cores, machineTimes } from './lib/proc.ts'
import { fmt, pct, table, withSpread } from './lib/report.ts'
import { SRTP_SUITE, type SrtpSuite } from './lib/srtp.ts'
import { parseSample, type ReceiverSample } from './lib/sampled-receivers.ts'
import { sleep, summarize, type Summary } from './lib/stats.ts'
import { BaselineTarget } from './lib/targets/baseline.ts'
import type { SfuTarget } from './lib/targets/target.ts'
import { VecheTarget } from './lib/targets/veche.ts'

/** Step name suffixes (--steps 1x16srtp,1x16gcm) and the SRTP suite each runs. */
const STEP_SUITES: Record<string, SrtpSuite> = { srtp: SRTP_SUITE, gcm: 'AEAD_AES_128_GCM', gcm256: 'AEAD_AES_256_GCM' }

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    reps: { type: 'string' },
    out: { type: 'string' },
    'max-minutes': { type: 'string', default: '40' },
    // Give the baseline Veche's active-speaker observer, to tell how much of the overhead it is.
    'baseline-speaker': { type: 'boolean', default: false },
    // Only these steps (e.g. 1x2,4x4,1x6srtp), no capacity search and no spread room. A step
    // ending in srtp runs AES_CM_128_HMAC_SHA1_80, gcm AEAD_AES_128_GCM, gcm256 AEAD_AES_256_GCM.
    steps: { type: 'string' },
    // The room beyond one worker has this many participants (default: 1.25x the capacity found,
    // or 40 with --only spread). Alone it also means --only spread, as it always did.
    spread: { type: 'string' },
    // Run one phase only: 'spread' (the room beyond one worker), a rerun in ~3 minutes; 'capacity'
    // (the capacity search and its ~80% step on both servers, then the spread room).
    only: { type: 'string' },
    // The capacity search, its ~80% step and the spread room in SRTP: srtp (AES-CM), gcm, gcm256.
    srtp: { type: 'string' },
    // Count loss and delay on N subscribers per room only; the rest receive on null ports (bench/README.md).
    // Default: all, except the spread room: 4.
    'sample-receivers': { type: 'string' },
    // How the subscribers not counted receive: 'drop' (never read: nothing for the generator, but
    // the worker skips queueing to and waking a reader, 15-20% less CPU per packet) or 'drain' (read
    // unparsed: the worker's side as for a counted port, to check that bias). bench/README.md.
    'null-ports': { type: 'string', default: 'drop' },
  },
})

/** usage ends the run on a bad option, before any server starts. */
function usage(message: string): never {
  process.stderr.write(`media-load: ${message}\n`)
  process.exit(2)
}
if (args.only !== undefined && args.only !== 'spread' && args.only !== 'capacity') usage(`--only: '${args.only}' is not a phase; the ones that run alone are 'spread' and 'capacity'`)
const onlySpread = args.only === 'spread' || (args.spread !== undefined && args.only === undefined)
const onlyCapacity = args.only === 'capacity'
if (args.srtp !== undefined && !(args.srtp in STEP_SUITES)) usage(`--srtp: '${args.srtp}' is not ${Object.keys(STEP_SUITES).join(', ')}`)
/** The suite of the capacity search and the spread room (plain RTP without --srtp). */
const searchSuite: SrtpSuite | undefined = args.srtp === undefined ? undefined : STEP_SUITES[args.srtp]
const spreadSize = args.spread === undefined ? undefined : Number(args.spread)
if (spreadSize !== undefined && !(Number.isInteger(spreadSize) && spreadSize >= 2)) usage(`--spread: '${args.spread}' is not a room size (2 or more participants)`)
const nullMode = args['null-ports'] as NullMode
if (!NULL_MODES.includes(nullMode)) usage(`--null-ports: '${args['null-ports']}' is not ${NULL_MODES.join(' or ')}`)
let sampleArg: ReceiverSample | undefined
try {
  sampleArg = args['sample-receivers'] === undefined ? undefined : parseSample(args['sample-receivers'])
} catch (err) {
  usage((err as Error).message)
}
/**
 * Counting every packet of the spread room (40 people: ~500k packets/s) takes CPU that its two
 * workers need on a 2-core machine, so by default only this many of its subscribers are counted.
 */
const SPREAD_SAMPLE = 4
/** With --only spread and no --spread: 1.25x the 32-person one-worker capacity of the reference machine. */
const SPREAD_DEFAULT_SIZE = 40

const quick = args.quick!
const reps = Number(args.reps ?? (quick ? 1 : 5))
const deadline = Date.now() + Number(args['max-minutes']) * 60_000
const timing = quick ? { warmupMs: 500, measureMs: 1500 } : { warmupMs: 2000, measureMs: 4000 }
const LOSS_LIMIT = 0.005

interface StepResult {
  name: string
  spec: StepSpec
  samples: { veche: StepSample[]; baseline: StepSample[] }
}

const log = (line: string): void => void process.stderr.write(`${line}\n`)
const outOfTime = (): boolean => Date.now() > deadline

const veche = await VecheTarget.start({ workers: 1 })
// The spread phase alone compares Veche with Veche; bare mediasoup is not needed.
const baseline = onlySpread ? undefined : await BaselineTarget.start({ speakerObserver: args['baseline-speaker']! })
const targets: SfuTarget[] = baseline ? [veche, baseline] : [veche]
const receivers: Receivers = startReceivers(nullMode)
let spreadTarget: VecheTarget | undefined
stopOnSignal(async () => {
  await Promise.allSettled([veche.close(), baseline?.close(), receivers.plain.close(), spreadTarget?.close()])
})
const pinned = pinGenerator(receivers, true) && targets.every(pinTarget)
const idle = { veche: idleRss(veche), baseline: baseline ? idleRss(baseline) : 0 }
const pidsOf = (t: SfuTarget): number[] => {
  const p = t.processes()
  return [p.control, ...p.workers]
}
/** othersOf returns the pids of the run's servers other than `t` (idle while `t` is measured). */
const othersOf = (t: SfuTarget): number[] => targets.filter((x) => x !== t).flatMap(pidsOf)
const machineStart = { at: Date.now(), busy: machineTimes().busyNs }

let failedSamples = 0

/** sample runs one step; a step that fails (a join refused or unanswered) is logged, retried once. */
async function sample(target: SfuTarget, spec: StepSpec, retry = true): Promise<StepSample> {
  const receiver = spec.srtp ? receivers.srtp : receivers.plain
  try {
    const s = await runStep(target, spec, receiver, target === veche ? idle.veche : idle.baseline, othersOf(target), receivers.nulls)
    await sleep(300) // Let the rooms close before the next window.
    return s
  } catch (err) {
    failedSamples++
    log(`${target.name} ${spec.rooms}x${spec.participants}: sample failed: ${(err as Error).message}`)
    await sleep(2000)
    if (retry) return sample(target, spec, false)
    throw err
  }
}

/** measure runs `spec` `n` times on both targets, alternating, so slow drift hits both alike. */
async function measure(name: string, spec: StepSpec, n = reps): Promise<StepResult> {
  const result: StepResult = { name, spec, samples: { veche: [], baseline: [] } }
  for (let i = 0; i < n && !outOfTime(); i++) {
    for (const t of i % 2 === 0 ? targets : [...targets].reverse()) {
      const s = await sample(t, spec)
      result.samples[t.name].push(s)
      const v = verdict(s)
      log(
        `${name} ${t.name} #${i + 1}: ${fmt(s.workerCpuUsPerPacket)} us/pkt, load ${fmt(s.workerLoad)}, loss ${pct(s.loss)}${sampledNote(s)}, generator ${fmt(s.generatorLoad)}` +
          `${s.srtpErrors ? `, ${s.srtpErrors} SRTP errors` : ''}` +
          `${v.disturbed ? ` DISTURBED (other load ${fmt(s.foreignLoad)} cores)` : ''}${v.generatorBound ? ' GENERATOR-BOUND' : ''}`,
      )
    }
  }
  return result
}

/**
 * step builds a step's spec. `sample` subscribers per room are counted (see --sample-receivers);
 * without null ports (no C sink) everyone is, and the run says so.
 */
const step = (rooms: number, participants: number, suite?: SrtpSuite, sample = sampleArg): StepSpec => ({
  rooms,
  participants,
  srtp: suite !== undefined,
  ...(suite ? { suite } : {}),
  ...timing,
  ...(typeof sample === 'number' && sample < participants && receivers.nulls ? { sampleReceivers: sample } : {}),
})
if (sampleArg !== undefined && sampleArg !== 'all' && !receivers.nulls) log(`--sample-receivers: no C sink to hold null ports (${receivers.note}); every subscriber is counted`)
/** What the null-port mode does to the worker figures, for the report. */
const nullBias =
  nullMode === 'drop'
    ? 'the workers skip queueing to and waking a reader for those packets: 15-20% less CPU per packet than counted ports (bench/README.md)'
    : 'drained unparsed: the workers do as for counted ports'
/** sampledNote says which subscribers a sample's loss and delay come from, when not all. */
const sampledNote = (s: StepSample): string => (s.countedSubscribers < s.subscribers ? ` (loss from ${s.countedSubscribers}/${s.subscribers} subscribers)` : '')
const stat = (xs: StepSample[], f: (s: StepSample) => number): Summary => summarize(xs.map(f))

/** capacity finds the largest all-see-all room one worker carries under the loss limit. */
async function capacity(target: SfuTarget, from: number, by: number): Promise<{ size: number; limitedBy: string; probes: StepSample[] }> {
  const probes: StepSample[] = []
  let best = 0
  for (let n = from; n <= 80 && !outOfTime(); n += by) {
    let s: StepSample
    try {
      s = await sample(target, step(1, n, searchSuite))
      // One bad window may be a hiccup of the shared machine: a size fails only if it fails twice.
      if (s.loss >= LOSS_LIMIT || s.incomplete > 0) s = await sample(target, step(1, n, searchSuite))
    } catch (err) {
      // A saturated worker answers its control channel too late for participants to join.
      return { size: best, limitedBy: `joins (${(err as Error).message})`, probes }
    }
    probes.push(s)
    const v = verdict(s)
    log(`capacity ${target.name} 1x${n}: load ${fmt(s.workerLoad)}, loss ${pct(s.loss)}${sampledNote(s)}, generator ${fmt(s.generatorLoad)}`)
    if (v.generatorBound) return { size: best, limitedBy: 'generator', probes }
    if (s.loss >= LOSS_LIMIT || s.incomplete > 0) return { size: best, limitedBy: 'loss', probes }
    best = n
  }
  return { size: best, limitedBy: outOfTime() ? 'time' : 'search range', probes }
}

/** Ends the run after the steps named by --steps, or after the spread phase run alone. */
class StepsOnly extends Error {}

/** The room beyond one worker: on two workers with pipeToRouter, and the same room on one. */
interface SpreadResult {
  size: number
  peersPerWorker: number
  /** Subscribers counted for loss and delay; the rest received on null ports ('all': none did). */
  sampleReceivers: number | 'all'
  /** How the subscribers not counted received (--null-ports). */
  nullPorts: NullMode | undefined
  /** Each sample, or why it failed (a join refused or unanswered). */
  twoWorkers: StepSample | string
  oneWorker: StepSample | string
  /** The two-worker room set up fully and lost less than LOSS_LIMIT. */
  holds: boolean
}

const results: StepResult[] = []
let capacities: Record<string, Awaited<ReturnType<typeof capacity>>> = {}
let spread: SpreadResult | undefined
try {
  log(`warming up (${receivers.note}; pinned: ${pinned})`)
  const early = udpBuffers()
  if (early) log(early.note)
  for (const t of targets) await sample(t, step(1, 6))
  if (onlySpread) {
    await spreadRoom(spreadSize ?? SPREAD_DEFAULT_SIZE)
    throw new StepsOnly()
  }

  const chosen = args.steps?.split(',').map((s): [string, StepSpec] => {
    const m = /^(\d+)x(\d+)(srtp|gcm|gcm256)?$/.exec(s.trim())
    if (!m) throw new Error(`--steps: '${s}' is not RxP, RxPsrtp, RxPgcm or RxPgcm256`)
    return [s.trim(), step(Number(m[1]), Number(m[2]), m[3] === undefined ? undefined : STEP_SUITES[m[3]])]
  })
  const fixed: [string, StepSpec][] =
    chosen ??
    (quick
      ? [['1x2', step(1, 2)], ['2x4', step(2, 4)], ['1x4 srtp', step(1, 4, SRTP_SUITE)]]
      : [['1x2', step(1, 2)], ['4x4', step(4, 4)], ['1x8', step(1, 8)], ['1x16', step(1, 16)], ['1x6 srtp', step(1, 6, SRTP_SUITE)]])
  if (!onlyCapacity) for (const [name, spec] of fixed) if (!outOfTime()) results.push(await measure(name, spec))
  if (chosen) throw new StepsOnly()

  const from = quick ? 6 : 16
  const by = quick ? 4 : 2
  // The baseline is there: only --only spread runs without it.
  capacities = { veche: await capacity(veche, from, by), baseline: await capacity(baseline!, from, by) }
  // The step nearest 80% of a core on Veche, measured in full.
  const probes = capacities.veche!.probes.filter((p) => p.loss < LOSS_LIMIT)
  const near80 = probes.reduce<StepSample | undefined>((a, b) => (!a || Math.abs(b.workerLoad - 0.8) < Math.abs(a.workerLoad - 0.8) ? b : a), undefined)
  const suffix = args.srtp ?? ''
  if (near80 && !outOfTime()) results.push(await measure(`1x${near80.participants}${suffix} (~80%)`, step(1, near80.participants, searchSuite)))

  // A room bigger than one worker carries: spread over two with pipeToRouter, then on one worker.
  const cap = capacities.veche!.size
  if (cap > 0 && cores >= 2 && !outOfTime()) await spreadRoom(spreadSize ?? Math.ceil(cap * 1.25))
} catch (err) {
  if (!(err instanceof StepsOnly)) throw err
} finally {
  await veche.close()
  await baseline?.close()
  await receivers.plain.close()
  await receivers.node.close()
}

/**
 * spreadRoom measures a room of `size` on a two-worker server with peersPerWorker at half the room
 * (each half homed on one worker, every producer piped once to the other), then the same room on
 * the one-worker server, which is expected to lose packets or fail to set up. Both with sampled
 * receivers (SPREAD_SAMPLE per room unless --sample-receivers says otherwise).
 */
async function spreadRoom(size: number): Promise<void> {
  const peersPerWorker = Math.ceil(size / 2)
  const spec = step(1, size, searchSuite, sampleArg ?? SPREAD_SAMPLE)
  const counted = spec.sampleReceivers ?? 'all'
  log(`room of ${size} on 2 workers (peersPerWorker=${peersPerWorker}), ${counted} subscribers counted`)
  const two = await VecheTarget.start({ workers: 2, peersPerWorker })
  spreadTarget = two
  // Two workers need both cores: the scheduler places them and the generator.
  unpinTarget(two)
  pinGenerator(receivers, false)
  const receiver = spec.srtp ? receivers.srtp : receivers.plain
  const twoWorkers = await runStep(two, spec, receiver, idleRss(two), targets.flatMap(pidsOf), receivers.nulls).catch(
    (err: Error) => err.message,
  )
  pinGenerator(receivers, true)
  await two.close()
  spreadTarget = undefined
  const said = (s: StepSample | string): string =>
    typeof s === 'string'
      ? `failed: ${s}`
      : `loss ${pct(s.loss)}${sampledNote(s)}, worker load ${s.workerLoads.map((l) => fmt(l)).join(' + ')}, ${fmt(s.workerCpuUsPerPacket)} us/pkt, ` +
        `ksoftirqd ${fmt(s.softirqLoad)}, generator ${fmt(s.generatorLoad)}, other ${fmt(s.foreignLoad)} cores`
  log(`room of ${size} on 2 workers: ${said(twoWorkers)}`)
  log(`room of ${size} on 1 worker (expected to lose packets or fail to set up)`)
  // Not through sample(): failing here is the expected outcome, not a failed sample to retry.
  const oneWorker = await runStep(veche, spec, receiver, idle.veche, othersOf(veche), receivers.nulls).catch((err: Error) => err.message)
  log(`room of ${size} on 1 worker: ${said(oneWorker)}`)
  const holds = typeof twoWorkers !== 'string' && twoWorkers.loss < LOSS_LIMIT && twoWorkers.incomplete === 0
  spread = { size, peersPerWorker, sampleReceivers: counted, nullPorts: counted === 'all' ? undefined : nullMode, twoWorkers, oneWorker, holds }
}

// ---- Report ----
const machineEnd = machineTimes().busyNs
const runSeconds = (Date.now() - machineStart.at) / 1000
const machineBusy = machineEnd.map((b, i) => (b - (machineStart.busy[i] ?? 0)) / 1e9 / runSeconds)
const rates = packetRates()
const rows = results.map((r) => {
  const v = r.samples.veche
  const b = r.samples.baseline
  const vu = stat(v, (s) => s.workerCpuUsPerPacket)
  const bu = stat(b, (s) => s.workerCpuUsPerPacket)
  const flags = [...v, ...b].map(verdict)
  const first = v[0] ?? b[0]
  return {
    name: r.name,
    /** Subscribers counted for loss and delay, of all (sampled receivers when fewer). */
    counted: first ? { subscribers: first.countedSubscribers, of: first.subscribers } : undefined,
    veche: vu,
    baseline: bu,
    ratio: vu.median / bu.median,
    vechePps: stat(v, (s) => s.packetsPerCoreSecond),
    basePps: stat(b, (s) => s.packetsPerCoreSecond),
    load: stat(v, (s) => s.workerLoad),
    loss: stat(v, (s) => s.loss),
    baseLoss: stat(b, (s) => s.loss),
    p50: stat(v, (s) => s.delayP50Ms),
    p99: stat(v, (s) => s.delayP99Ms),
    baseP50: stat(b, (s) => s.delayP50Ms),
    baseP99: stat(b, (s) => s.delayP99Ms),
    nodeCpu: stat(v, (s) => s.controlCpuPerParticipant),
    nodeRss: stat(v, (s) => s.controlRssPerParticipant),
    baseNodeCpu: stat(b, (s) => s.controlCpuPerParticipant),
    baseNodeRss: stat(b, (s) => s.controlRssPerParticipant),
    disturbed: flags.filter((f) => f.disturbed).length,
    generatorBound: flags.filter((f) => f.generatorBound).length,
    n: Math.min(v.length, b.length),
  }
})

const buffers = udpBuffers()
const out: string[] = []
out.push(`Veche media load, ${new Date().toISOString()}, ${cores} cores, ${reps} repeats per step; medians, ±half the repeats' spread`)
out.push(`per participant: sends ${rates.sent} packets/s (Opus 50/s + VP8 simulcast 180p/360p/720p), receives ${rates.forwardedPerSubscriber}/s from each other participant`)
if (onlySpread) out.push('the room beyond one worker only (--only spread): one sample on each server, the two-worker one unpinned')
if (args['baseline-speaker']) out.push('baseline WITH an active-speaker observer per room, as Veche has (--baseline-speaker)')
out.push(`${receivers.note}; worker pinned to core ${cores - 1}, generator and Node processes to core 0: ${pinned ? 'yes' : 'no'}`)
if (buffers) out.push(buffers.note)
out.push('')
// The spread phase alone has no step table.
if (rows.length > 0) {
  out.push(
    table(
      ['step', 'worker us/pkt veche', 'baseline', 'veche/base', 'pkts/core-s veche', 'baseline', 'worker load', 'loss veche', 'loss base', 'delay p50/p99 ms veche', 'baseline', 'node cpu/peer', 'node rss/peer', 'flags'],
      rows.map((r) => [
        r.name,
        withSpread(r.veche.median, r.veche.spread),
        withSpread(r.baseline.median, r.baseline.spread),
        fmt(r.ratio, 3),
        fmt(r.vechePps.median / 1000, 0) + 'k',
        fmt(r.basePps.median / 1000, 0) + 'k',
        fmt(r.load.median),
        pct(r.loss.max),
        pct(r.baseLoss.max),
        `${fmt(r.p50.median)}/${fmt(r.p99.median)}`,
        `${fmt(r.baseP50.median)}/${fmt(r.baseP99.median)}`,
        pct(r.nodeCpu.median, 3),
        `${fmt(r.nodeRss.median / 1024, 0)} KiB`,
        [
          r.disturbed ? `${r.disturbed} disturbed` : '',
          r.generatorBound ? `${r.generatorBound} generator-bound` : '',
          r.n < reps ? `${r.n} repeats` : '',
          r.counted && r.counted.subscribers < r.counted.of ? `sampled ${r.counted.subscribers}/${r.counted.of}` : '',
        ]
          .filter(Boolean)
          .join(', ') || 'ok',
      ]),
    ),
  )
}
if (rows.some((r) => r.counted && r.counted.subscribers < r.counted.of)) {
  out.push(
    `sampled S/N: loss and delay from S of the step's N subscribers (all their streams); the rest received on null ports (${nullMode}: ${nullBias}). ` +
      'Worker us/pkt, pkts/core-s and load cover everything forwarded (null-port arrivals counted by the kernel).',
  )
}
if (rows.length > 0) out.push('')
for (const [name, c] of Object.entries(capacities)) {
  const last = c.probes.find((p) => p.participants === c.size)
  out.push(
    `largest all-see-all room on one worker under ${pct(LOSS_LIMIT, 1)} loss${searchSuite ? ` in SRTP (${searchSuite})` : ''}, ${name}: ${c.size} participants` +
      (last ? ` (worker load ${fmt(last.workerLoad)}, ${fmt(last.forwarded / (timing.measureMs / 1000) / 1000, 0)}k packets/s forwarded)` : '') +
      `; next size stopped by ${c.limitedBy}`,
  )
}
if (capacities.veche && capacities.baseline) out.push(`capacity veche/baseline: ${fmt(capacities.veche.size / capacities.baseline.size, 3)}`)
if (spread) {
  const seconds = timing.measureMs / 1000
  const flags = (s: StepSample): string => {
    const v = verdict(s)
    return `${v.disturbed ? ` DISTURBED (other load ${fmt(s.foreignLoad)} cores)` : ''}${v.generatorBound ? ' GENERATOR-BOUND (the generator\'s limit, not the server\'s)' : ''}`
  }
  const line = (label: string, s: StepSample | string): string =>
    typeof s === 'string'
      ? `${label}: failed to set up: ${s}`
      : `${label}: loss ${pct(s.loss)}, worker load ${s.workerLoads.map((l) => fmt(l)).join(' + ')} cores, ${fmt(s.forwarded / seconds / 1000, 0)}k packets/s forwarded ` +
        `(${fmt(s.workerCpuUsPerPacket)} us/pkt; ${pct(Math.max(0, s.deliveryGap))} of what all subscribers should get missing), ksoftirqd ${fmt(s.softirqLoad)} cores, generator ${fmt(s.generatorLoad)} cores, ` +
        `delay p50/p99 ${fmt(s.delayP50Ms)}/${fmt(s.delayP99Ms)} ms, incomplete ${s.incomplete}${flags(s)}`
  out.push(`room of ${spread.size} beyond one worker, all see all:`)
  out.push(`  ${line(`2 workers, ${spread.peersPerWorker} peers homed on each, producers piped (pipeToRouter)`, spread.twoWorkers)}`)
  out.push(`  ${line('1 worker (expected to lose packets or fail to set up)', spread.oneWorker)}`)
  const one = spread.oneWorker
  if (typeof one !== 'string' && one.loss < LOSS_LIMIT && one.incomplete === 0) {
    out.push(`  note: one worker held this room too, so it is not beyond one worker's capacity here; rerun with a larger --spread`)
  }
  const two = spread.twoWorkers
  if (spread.sampleReceivers !== 'all' && typeof two !== 'string') {
    out.push(
      `  sampled receivers: loss and delay from ${two.countedSubscribers} of ${two.subscribers} subscribers (all their streams, spread over both workers' ` +
        `home peers); the other ${two.subscribers - two.countedSubscribers} received on null ports (${nullMode}: ${nullBias}). Worker figures cover all forwarding.`,
    )
  }
  const lossText =
    typeof two === 'string'
      ? `failed to set up (${two})`
      : `loss ${pct(two.loss)}${two.incomplete > 0 ? `, ${two.incomplete} subscribers not fully set up` : ''}`
  // The verdict of a disturbed or generator-bound window is the machine's, not Veche's.
  const caveat = typeof two === 'string' || !flags(two) ? '' : `;${flags(two)}`
  out.push(`room of ${spread.size} on 2 workers (peersPerWorker=${spread.peersPerWorker}): ${lossText} — ${spread.holds ? 'holds' : 'does not hold'}${caveat}`)
}
out.push(`machine busy during the run: ${machineBusy.map((b, i) => `core ${i} ${pct(b, 0)}`).join(', ')}`)
const spreadDisturbed = [spread?.twoWorkers, spread?.oneWorker].filter((s): s is StepSample => typeof s === 'object' && verdict(s).disturbed).length
const disturbed = rows.reduce((a, r) => a + r.disturbed, 0) + spreadDisturbed
out.push(disturbed ? `DISTURBED: ${disturbed} samples ran while something else kept > 0.15 cores busy; compare with care` : 'undisturbed: no sample saw more than 0.15 cores of other load')
if (failedSamples) out.push(`${failedSamples} samples failed and were retried (see the log above)`)
if (outOfTime()) out.push(`stopped early at the ${args['max-minutes']}-minute limit; some steps were skipped`)
process.stdout.write(`${out.join('\n')}\n`)

const file =
  args.out ?? fileURLToPath(new URL(`./results/media-load-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url))
mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
writeFileSync(
  file,
  JSON.stringify(
    {
      kind: 'media-load',
      at: new Date().toISOString(),
      cores,
      reps,
      timing,
      quick,
      pinned,
      receive: receivers.note,
      // The suite of the capacity search and the spread room; null: plain RTP.
      searchSuite: searchSuite ?? null,
      rmemDefault: buffers?.bytes ?? null,
      // Sampled receivers: subscribers per room counted for loss and delay in the steps ('all': every
      // one), and whether null ports were available; each sample has countedSubscribers/subscribers.
      sampleReceivers: { steps: sampleArg ?? 'all', spread: spread?.sampleReceivers, nullPorts: receivers.nulls?.mode ?? 'unavailable' },
      machineBusy,
      rates,
      rows,
      capacities,
      spread,
      results,
    },
    null,
    1,
  ),
)
process.stdout.write(`JSON: ${file}\n`)
// Everything is closed; a socket of a join that failed mid-way must not keep the run alive.
process.exit(0)
