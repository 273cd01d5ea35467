// Media forwarding cost and room capacity, Veche against bare mediasoup in the same run.
// Run: bin/veche-node bench/media-load.ts [--quick] [--reps N] [--out FILE]
// Prints a table per phase and writes every sample to a JSON file (bench/README.md explains both).
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { idleRss, pinGenerator, pinTarget, startReceivers, stopOnSignal, unpinTarget, verdict, type Receivers } from './lib/bench-env.ts'
import { runStep, type StepSample, type StepSpec } from './lib/load-step.ts'
import { packetRates } from './lib/media-profile.ts'
import { cores, machineTimes } from './lib/proc.ts'
import { fmt, pct, table, withSpread } from './lib/report.ts'
import { sleep, summarize, type Summary } from './lib/stats.ts'
import { BaselineTarget } from './lib/targets/baseline.ts'
import type { SfuTarget } from './lib/targets/target.ts'
import { VecheTarget } from './lib/targets/veche.ts'

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    reps: { type: 'string' },
    out: { type: 'string' },
    'max-minutes': { type: 'string', default: '40' },
    // Give the baseline Veche's active-speaker observer, to tell how much of the overhead it is.
    'baseline-speaker': { type: 'boolean', default: false },
    // Only these steps (e.g. 1x2,4x4,1x6srtp), no capacity search and no spread room.
    steps: { type: 'string' },
    // Only the room-beyond-one-worker phase, for a room of this many participants.
    spread: { type: 'string' },
  },
})
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
const baseline = await BaselineTarget.start({ speakerObserver: args['baseline-speaker']! })
const receivers: Receivers = startReceivers()
let spreadTarget: VecheTarget | undefined
stopOnSignal(async () => {
  await Promise.allSettled([veche.close(), baseline.close(), receivers.plain.close(), spreadTarget?.close()])
})
const pinned = pinGenerator(receivers, true) && pinTarget(veche) && pinTarget(baseline)
const idle = { veche: idleRss(veche), baseline: idleRss(baseline) }
const othersOf = (t: SfuTarget): number[] => {
  const other = t === veche ? baseline : veche
  const p = other.processes()
  return [p.control, ...p.workers]
}
const machineStart = { at: Date.now(), busy: machineTimes().busyNs }

let failedSamples = 0

/** sample runs one step; a step that fails (a join refused or unanswered) is logged, retried once. */
async function sample(target: SfuTarget, spec: StepSpec, retry = true): Promise<StepSample> {
  const receiver = spec.srtp ? receivers.node : receivers.plain
  try {
    const s = await runStep(target, spec, receiver, target === veche ? idle.veche : idle.baseline, othersOf(target))
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
    for (const t of i % 2 === 0 ? [veche, baseline] : [baseline, veche]) {
      const s = await sample(t, spec)
      result.samples[t.name].push(s)
      const v = verdict(s)
      log(
        `${name} ${t.name} #${i + 1}: ${fmt(s.workerCpuUsPerPacket)} us/pkt, load ${fmt(s.workerLoad)}, loss ${pct(s.loss)}` +
          `${v.disturbed ? ` DISTURBED (other load ${fmt(s.foreignLoad)} cores)` : ''}${v.generatorBound ? ' GENERATOR-BOUND' : ''}`,
      )
    }
  }
  return result
}

const step = (rooms: number, participants: number, srtp = false): StepSpec => ({ rooms, participants, srtp, ...timing })
const stat = (xs: StepSample[], f: (s: StepSample) => number): Summary => summarize(xs.map(f))

/** capacity finds the largest all-see-all room one worker carries under the loss limit. */
async function capacity(target: SfuTarget, from: number, by: number): Promise<{ size: number; limitedBy: string; probes: StepSample[] }> {
  const probes: StepSample[] = []
  let best = 0
  for (let n = from; n <= 80 && !outOfTime(); n += by) {
    let s: StepSample
    try {
      s = await sample(target, step(1, n))
      // One bad window may be a hiccup of the shared machine: a size fails only if it fails twice.
      if (s.loss >= LOSS_LIMIT || s.incomplete > 0) s = await sample(target, step(1, n))
    } catch (err) {
      // A saturated worker answers its control channel too late for participants to join.
      return { size: best, limitedBy: `joins (${(err as Error).message})`, probes }
    }
    probes.push(s)
    const v = verdict(s)
    log(`capacity ${target.name} 1x${n}: load ${fmt(s.workerLoad)}, loss ${pct(s.loss)}, generator ${fmt(s.generatorLoad)}`)
    if (v.generatorBound) return { size: best, limitedBy: 'generator', probes }
    if (s.loss >= LOSS_LIMIT || s.incomplete > 0) return { size: best, limitedBy: 'loss', probes }
    best = n
  }
  return { size: best, limitedBy: outOfTime() ? 'time' : 'search range', probes }
}

/** Ends the run after the steps named by --steps. */
class StepsOnly extends Error {}

const results: StepResult[] = []
let capacities: Record<string, Awaited<ReturnType<typeof capacity>>> = {}
/** The spread-room samples, or why a sample failed. */
let spread: { size: number; peersPerWorker: number; oneWorker: StepSample | string; twoWorkers: StepSample | string } | undefined
try {
  log(`warming up (${receivers.note}; pinned: ${pinned})`)
  await sample(veche, step(1, 6))
  await sample(baseline, step(1, 6))
  if (args.spread) {
    await spreadRoom(Number(args.spread))
    throw new StepsOnly()
  }

  const chosen = args.steps?.split(',').map((s): [string, StepSpec] => {
    const m = /^(\d+)x(\d+)(srtp)?$/.exec(s.trim())
    if (!m) throw new Error(`--steps: '${s}' is not RxP or RxPsrtp`)
    return [s.trim(), step(Number(m[1]), Number(m[2]), m[3] !== undefined)]
  })
  const fixed: [string, StepSpec][] =
    chosen ??
    (quick
      ? [['1x2', step(1, 2)], ['2x4', step(2, 4)], ['1x4 srtp', step(1, 4, true)]]
      : [['1x2', step(1, 2)], ['4x4', step(4, 4)], ['1x8', step(1, 8)], ['1x16', step(1, 16)], ['1x6 srtp', step(1, 6, true)]])
  for (const [name, spec] of fixed) if (!outOfTime()) results.push(await measure(name, spec))
  if (chosen) throw new StepsOnly()

  const from = quick ? 6 : 16
  const by = quick ? 4 : 2
  capacities = { veche: await capacity(veche, from, by), baseline: await capacity(baseline, from, by) }
  // The step nearest 80% of a core on Veche, measured in full.
  const probes = capacities.veche!.probes.filter((p) => p.loss < LOSS_LIMIT)
  const near80 = probes.reduce<StepSample | undefined>((a, b) => (!a || Math.abs(b.workerLoad - 0.8) < Math.abs(a.workerLoad - 0.8) ? b : a), undefined)
  if (near80 && !outOfTime()) results.push(await measure(`1x${near80.participants} (~80%)`, step(1, near80.participants)))

  // A room bigger than one worker carries: on one worker, then spread over two with pipeToRouter.
  const cap = capacities.veche!.size
  if (cap > 0 && cores >= 2 && !outOfTime()) await spreadRoom(Math.ceil(cap * 1.25))
} catch (err) {
  if (!(err instanceof StepsOnly)) throw err
} finally {
  await veche.close()
  await baseline.close()
  await receivers.plain.close()
  await receivers.node.close()
}

/** spreadRoom measures a room of `size` on the one-worker server, then on a two-worker one. */
async function spreadRoom(size: number): Promise<void> {
  {
    const peersPerWorker = Math.ceil(size / 2)
    const oneWorker = await sample(veche, step(1, size), false).catch((err: Error) => err.message)
    const two = await VecheTarget.start({ workers: 2, peersPerWorker })
    spreadTarget = two
    // Two workers need both cores: the scheduler places them and the generator.
    unpinTarget(two)
    pinGenerator(receivers, false)
    const twoWorkers = await runStep(two, step(1, size), receivers.plain, idleRss(two), [...othersOf(veche), ...othersOf(baseline)]).catch(
      (err: Error) => err.message,
    )
    pinGenerator(receivers, true)
    await two.close()
    spread = { size, peersPerWorker, oneWorker, twoWorkers }
  }
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
  return {
    name: r.name,
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

const out: string[] = []
out.push(`Veche media load, ${new Date().toISOString()}, ${cores} cores, ${reps} repeats per step; medians, ±half the repeats' spread`)
out.push(`per participant: sends ${rates.sent} packets/s (Opus 50/s + VP8 simulcast 180p/360p/720p), receives ${rates.forwardedPerSubscriber}/s from each other participant`)
if (args['baseline-speaker']) out.push('baseline WITH an active-speaker observer per room, as Veche has (--baseline-speaker)')
out.push(`${receivers.note}; worker pinned to core ${cores - 1}, generator and Node processes to core 0: ${pinned ? 'yes' : 'no'}`)
out.push('')
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
      [r.disturbed ? `${r.disturbed} disturbed` : '', r.generatorBound ? `${r.generatorBound} generator-bound` : '', r.n < reps ? `${r.n} repeats` : '']
        .filter(Boolean)
        .join(', ') || 'ok',
    ]),
  ),
)
out.push('')
for (const [name, c] of Object.entries(capacities)) {
  const last = c.probes.find((p) => p.participants === c.size)
  out.push(
    `largest all-see-all room on one worker under ${pct(LOSS_LIMIT, 1)} loss, ${name}: ${c.size} participants` +
      (last ? ` (worker load ${fmt(last.workerLoad)}, ${fmt(last.forwarded / (timing.measureMs / 1000) / 1000, 0)}k packets/s forwarded)` : '') +
      `; next size stopped by ${c.limitedBy}`,
  )
}
if (capacities.veche && capacities.baseline) out.push(`capacity veche/baseline: ${fmt(capacities.veche.size / capacities.baseline.size, 3)}`)
if (spread) {
  const line = (label: string, s: StepSample | string): string =>
    typeof s === 'string' ? `${label}: failed: ${s}` : `${label}: loss ${pct(s.loss)}, worker load ${fmt(s.workerLoad)} cores, delay p50/p99 ${fmt(s.delayP50Ms)}/${fmt(s.delayP99Ms)} ms, incomplete ${s.incomplete}`
  out.push(`room of ${spread.size} (beyond one worker):`)
  out.push(`  ${line('one worker', spread.oneWorker)}`)
  out.push(`  ${line(`two workers, ${spread.peersPerWorker} peers each, pipeToRouter`, spread.twoWorkers)}`)
}
out.push(`machine busy during the run: ${machineBusy.map((b, i) => `core ${i} ${pct(b, 0)}`).join(', ')}`)
const disturbed = rows.reduce((a, r) => a + r.disturbed, 0)
out.push(disturbed ? `DISTURBED: ${disturbed} samples ran while something else kept > 0.15 cores busy; compare with care` : 'undisturbed: no sample saw more than 0.15 cores of other load')
if (failedSamples) out.push(`${failedSamples} samples failed and were retried (see the log above)`)
if (outOfTime()) out.push(`stopped early at the ${args['max-minutes']}-minute limit; some steps were skipped`)
process.stdout.write(`${out.join('\n')}\n`)

const file =
  args.out ?? fileURLToPath(new URL(`./results/media-load-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url))
mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
writeFileSync(
  file,
  JSON.stringify({ kind: 'media-load', at: new Date().toISOString(), cores, reps, timing, quick, pinned, receive: receivers.note, machineBusy, rates, rows, capacities, spread, results }, null, 1),
)
process.stdout.write(`JSON: ${file}\n`)
// Everything is closed; a socket of a join that failed mid-way must not keep the run alive.
process.exit(0)
