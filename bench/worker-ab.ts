// Two mediasoup-worker builds side by side in one run: the same rooms on bare mediasoup (the baseline
// target) with the `before` binary and with the `after` one, alternating, so a change to the worker's
// build or patches is judged by a ratio measured under the same machine load.
// Run: bin/veche-node bench/worker-ab.ts --before OLD_BIN [--after NEW_BIN] [--steps 1x16gcm256,1x16]
//      [--reps N] [--sample-receivers N|all] [--window S] [--out FILE]
// `after` defaults to node_modules' worker. bench/README.md ("The worker's SRTP path") explains it.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { pinGenerator, pinTarget, startReceivers, stopOnSignal, verdict } from './lib/bench-env.ts'
import { runStep, type StepSample, type StepSpec } from './lib/load-step.ts'
import { fmt, pct, table, withSpread } from './lib/report.ts'
import { parseSample } from './lib/sampled-receivers.ts'
import type { SrtpSuite } from './lib/srtp.ts'
import { sleep, summarize } from './lib/stats.ts'
import { BaselineTarget } from './lib/targets/baseline.ts'

const { values: args } = parseArgs({
  options: {
    before: { type: 'string' },
    after: { type: 'string', default: fileURLToPath(new URL('../node_modules/mediasoup/worker/out/Release/mediasoup-worker', import.meta.url)) },
    steps: { type: 'string', default: '1x16gcm256,1x16' },
    reps: { type: 'string', default: '5' },
    'sample-receivers': { type: 'string', default: '4' },
    window: { type: 'string', default: '4' },
    out: { type: 'string' },
  },
})

const log = (line: string): void => void process.stderr.write(`${line}\n`)
function usage(message: string): never {
  log(`worker-ab: ${message}`)
  process.exit(2)
}
if (!args.before) usage('--before: the worker binary to compare against is missing (e.g. a copy of the worker before a rebuild)')
for (const bin of [args.before, args.after!]) if (!existsSync(bin)) usage(`${bin}: no such worker binary`)
const reps = Number(args.reps)
if (!(Number.isInteger(reps) && reps >= 1)) usage(`--reps: '${args.reps}' is not a count`)
const windowS = Number(args.window)
if (!(windowS >= 1)) usage(`--window: '${args.window}' is not a number of seconds (1 or more)`)
const sample = parseSample(args['sample-receivers']!)

/** Step suffixes as in media-load.ts: srtp (AES-CM), gcm (AEAD_AES_128_GCM), gcm256. */
const SUITES: Record<string, SrtpSuite> = { srtp: 'AES_CM_128_HMAC_SHA1_80', gcm: 'AEAD_AES_128_GCM', gcm256: 'AEAD_AES_256_GCM' }
function parseStep(text: string): { name: string; rooms: number; participants: number; suite?: SrtpSuite } {
  const m = /^(\d+)x(\d+)([a-z0-9]*)$/.exec(text)
  if (!m || (m[3] && !(m[3] in SUITES))) usage(`--steps: '${text}' is not RxP with an optional ${Object.keys(SUITES).join('/')} suffix`)
  const suite = m[3] ? SUITES[m[3]] : undefined
  return { name: text, rooms: Number(m[1]), participants: Number(m[2]), ...(suite ? { suite } : {}) }
}
const steps = args.steps!.split(',').map(parseStep)

const uptime = (): string => execFileSync('uptime', { encoding: 'utf8' }).trim()
log(`start: ${uptime()}`)
const before = await BaselineTarget.start({ workerBin: args.before })
const after = await BaselineTarget.start({ workerBin: args.after! })
const targets = [
  { label: 'before', bin: args.before, target: before },
  { label: 'after', bin: args.after!, target: after },
]
const receivers = startReceivers('drop')
stopOnSignal(async () => {
  await Promise.allSettled([before.close(), after.close(), receivers.plain.close()])
})
const pinned = pinGenerator(receivers, true) && pinTarget(before) && pinTarget(after)
for (const t of targets) log(`${t.label}: worker pid ${t.target.processes().workers[0]} (${t.bin})`)
if (!pinned) log('could not pin the workers and the generator (taskset missing?): figures are noisier')

const pidsOf = (t: BaselineTarget): number[] => [t.processes().control, ...t.processes().workers]
const results: { step: string; label: string; sample: StepSample }[] = []
for (const s of steps) {
  const spec: StepSpec = {
    rooms: s.rooms,
    participants: s.participants,
    srtp: s.suite !== undefined,
    ...(s.suite ? { suite: s.suite } : {}),
    warmupMs: 2000,
    measureMs: windowS * 1000,
    ...(typeof sample === 'number' && sample < s.participants && receivers.nulls ? { sampleReceivers: sample } : {}),
  }
  const receiver = spec.srtp ? receivers.srtp : receivers.plain
  for (let i = 0; i < reps; i++) {
    for (const t of i % 2 === 0 ? targets : [...targets].reverse()) {
      const other = targets.find((x) => x !== t)!.target
      const r = await runStep(t.target, spec, receiver, 0, pidsOf(other), receivers.nulls)
      await sleep(300)
      results.push({ step: s.name, label: t.label, sample: r })
      const v = verdict(r)
      log(
        `${s.name} ${t.label} #${i + 1}: ${fmt(r.workerCpuUsPerPacket)} us/pkt, load ${fmt(r.workerLoad)}, loss ${pct(r.loss)}, generator ${fmt(r.generatorLoad)}` +
          `${r.srtpErrors ? `, ${r.srtpErrors} SRTP errors` : ''}${v.disturbed ? ` DISTURBED (other load ${fmt(r.foreignLoad)} cores)` : ''}${v.generatorBound ? ' GENERATOR-BOUND' : ''}`,
      )
    }
  }
}
await Promise.allSettled([before.close(), after.close(), receivers.plain.close()])

const rows = steps.map((s) => {
  const of = (label: string): StepSample[] => results.filter((r) => r.step === s.name && r.label === label).map((r) => r.sample)
  const b = summarize(of('before').map((x) => x.workerCpuUsPerPacket))
  const a = summarize(of('after').map((x) => x.workerCpuUsPerPacket))
  const all = [...of('before'), ...of('after')]
  const flags = [
    all.some((x) => verdict(x).disturbed) ? 'disturbed' : '',
    all.some((x) => verdict(x).generatorBound) ? 'generator-bound' : '',
  ].filter(Boolean)
  return [
    s.name,
    withSpread(b.median, b.spread),
    withSpread(a.median, a.spread),
    fmt(a.median / b.median, 3),
    `${fmt(1000 / b.median, 0)}k`,
    `${fmt(1000 / a.median, 0)}k`,
    `${fmt(summarize(all.map((x) => x.workerLoad)).median)}`,
    pct(Math.max(...all.map((x) => x.loss))),
    flags.join(' ') || '-',
  ]
})
process.stdout.write(`worker before: ${args.before}\nworker after:  ${args.after}\n`)
process.stdout.write(`${table(['step', 'us/pkt before', 'us/pkt after', 'after/before', 'pkts/core-s before', 'after', 'worker load', 'worst loss', 'flags'], rows)}\n`)
process.stdout.write(`${reps} repeats each, alternating; medians; ${uptime()}\n`)
const out = args.out ?? fileURLToPath(new URL(`./results/worker-ab-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url))
mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true })
writeFileSync(out, JSON.stringify({ before: args.before, after: args.after, reps, results }, null, 1))
log(`samples: ${out}`)
process.exit(0)
