// Join latency: from opening the signaling WebSocket to the first media packet the joining
// synthetic peer receives, on an idle server and at half a worker's load; and joins per second
// sustained by concurrent joiners. Bare mediasoup (no TLS, no WebSocket, no database) alongside.
// Run: bin/veche-node bench/join-latency.ts [--quick] [--joins N] [--out FILE]
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { pinGenerator, pinTarget, startReceivers, stopOnSignal, verdict } from './lib/bench-env.ts'
import { monoMs } from './lib/clock.ts'
import { Pacer } from './lib/pacer.ts'
import { cpuNs, machineTimes } from './lib/proc.ts'
import type { ReceiveSide } from './lib/receive-side.ts'
import { fmt, table } from './lib/report.ts'
import { percentile, sleep } from './lib/stats.ts'
import { SyntheticPeer } from './lib/synthetic-peer.ts'
import { BaselineTarget } from './lib/targets/baseline.ts'
import type { SfuTarget } from './lib/targets/target.ts'
import { VecheTarget } from './lib/targets/veche.ts'

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    joins: { type: 'string' },
    out: { type: 'string' },
  },
})
const quick = args.quick!
const joins = Number(args.joins ?? (quick ? 10 : 120))
const sustainMs = quick ? 3000 : 10_000
const log = (line: string): void => void process.stderr.write(`${line}\n`)

interface Series {
  target: string
  load: string
  /** Connect to first packet, ms, one per join. */
  firstPacketMs: number[]
  /** Connect to the join reply, ms. */
  joinReplyMs: number[]
  failures: number
  workerLoad: number
  foreignLoad: number
}

const receivers = startReceivers()
const pacer = new Pacer()

/** host opens a room with one publishing participant, so a joiner has media to receive. */
async function host(target: SfuTarget): Promise<{ room: string; peer: SyntheticPeer }> {
  const room = await target.createRoom()
  const peer = await SyntheticPeer.join(target, room, 'host', { srtp: false, publish: true, receiver: receivers.plain, pacer })
  return { room, peer }
}

/** joinOnce times one full join (connect, join, recv transport, ready, publish) to the first packet. */
async function joinOnce(target: SfuTarget, room: string, name: string, receiver: ReceiveSide): Promise<{ first: number; reply: number }> {
  const peer = await SyntheticPeer.join(target, room, name, { srtp: false, publish: true, receiver, pacer })
  try {
    const at = await Promise.race([peer.inbox.firstPacket!(), sleep(5000).then(() => Number.NaN)])
    return { first: at - peer.startedAt, reply: peer.joinedAt - peer.startedAt }
  } finally {
    await peer.leave()
  }
}

async function series(target: SfuTarget, load: string, n: number): Promise<Series> {
  const { room, peer } = await host(target)
  await sleep(300)
  const s: Series = { target: target.name, load, firstPacketMs: [], joinReplyMs: [], failures: 0, workerLoad: 0, foreignLoad: 0 }
  const workers = (): number => target.processes().workers.reduce((a, p) => a + cpuNs(p), 0)
  const machine = (): number => machineTimes().busyNs.reduce((a, b) => a + b, 0)
  const ours = (): number => workers() + cpuNs(target.processes().control) + cpuNs(process.pid) + cpuNs(receivers.plain.pid)
  const t0 = monoMs()
  const w0 = workers()
  const m0 = machine()
  const o0 = ours()
  for (let i = 0; i < n; i++) {
    try {
      const r = await joinOnce(target, room, `joiner ${i}`, receivers.node)
      if (Number.isNaN(r.first)) s.failures++
      else s.firstPacketMs.push(r.first)
      s.joinReplyMs.push(r.reply)
    } catch (err) {
      s.failures++
      log(`join failed: ${(err as Error).message}`)
    }
    await sleep(20)
  }
  const ns = (monoMs() - t0) * 1e6
  s.workerLoad = (workers() - w0) / ns
  s.foreignLoad = Math.max(0, (machine() - m0 - (ours() - o0)) / ns)
  await peer.leave()
  return s
}

/** halfLoad fills rooms of 8 until the target's worker is about half busy; returns the peers. */
async function halfLoad(target: SfuTarget): Promise<SyntheticPeer[]> {
  const peers: SyntheticPeer[] = []
  const workers = (): number => target.processes().workers.reduce((a, p) => a + cpuNs(p), 0)
  for (let rooms = 0; rooms < 40; rooms++) {
    const room = await target.createRoom()
    for (let i = 0; i < 8; i++) peers.push(await SyntheticPeer.join(target, room, `load ${rooms}.${i}`, { srtp: false, publish: true, receiver: receivers.plain, pacer }))
    await sleep(500)
    const w0 = workers()
    const t0 = monoMs()
    await sleep(1000)
    const load = (workers() - w0) / ((monoMs() - t0) * 1e6)
    log(`half load ${target.name}: ${rooms + 1} rooms of 8, worker load ${fmt(load)}`)
    if (load >= 0.45) break
  }
  return peers
}

/** sustained runs `concurrency` join-leave loops for `ms` and counts completed joins (first packet seen). */
async function sustained(target: SfuTarget, concurrency: number, ms: number): Promise<{ joinsPerSecond: number; p50: number; failures: number }> {
  const hosts = await Promise.all(Array.from({ length: Math.ceil(concurrency / 2) }, () => host(target)))
  const end = monoMs() + ms
  const times: number[] = []
  let failures = 0
  const t0 = monoMs()
  await Promise.all(
    Array.from({ length: concurrency }, async (_, c) => {
      for (let i = 0; monoMs() < end; i++) {
        try {
          const r = await joinOnce(target, hosts[c % hosts.length]!.room, `loop ${c}.${i}`, receivers.node)
          if (Number.isNaN(r.first)) failures++
          else times.push(r.first)
        } catch (err) {
          if (failures++ === 0) log(`sustained ${target.name}: a join failed: ${(err as Error).message}`)
        }
      }
    }),
  )
  const seconds = (monoMs() - t0) / 1000
  await Promise.all(hosts.map((h) => h.peer.leave()))
  return { joinsPerSecond: times.length / seconds, p50: percentile(times, 0.5), failures }
}

const veche = await VecheTarget.start({ workers: 1 })
const baseline = await BaselineTarget.start()
stopOnSignal(async () => {
  await Promise.allSettled([veche.close(), baseline.close(), receivers.plain.close()])
})
const pinned = pinGenerator(receivers, true) && pinTarget(veche) && pinTarget(baseline)
const all: Series[] = []
const rates: Record<string, Awaited<ReturnType<typeof sustained>>> = {}
try {
  log('warming up')
  await series(veche, 'warm-up', 5)
  await series(baseline, 'warm-up', 5)
  for (const t of [veche, baseline]) {
    all.push(await series(t, 'idle', joins))
    log(`${t.name} idle: p50 ${fmt(percentile(all.at(-1)!.firstPacketMs, 0.5))} ms`)
  }
  for (const t of [veche, baseline]) {
    const load = await halfLoad(t)
    all.push(await series(t, 'half load', joins))
    log(`${t.name} half load: p50 ${fmt(percentile(all.at(-1)!.firstPacketMs, 0.5))} ms`)
    await Promise.all(load.map((p) => p.leave()))
    await sleep(500)
  }
  for (const t of [veche, baseline]) rates[t.name] = await sustained(t, 8, sustainMs)
} finally {
  await veche.close()
  await baseline.close()
  await receivers.plain.close()
  await receivers.node.close()
}

const out: string[] = []
out.push(`Veche join latency, ${new Date().toISOString()}; connect -> first media packet received by the joiner; worker pinned: ${pinned}`)
out.push('')
out.push(
  table(
    ['target', 'server', 'joins', 'p50 ms', 'p95 ms', 'p99 ms', 'join reply p50 ms', 'failed', 'worker load', 'flags'],
    all.map((s) => [
      s.target,
      s.load,
      s.firstPacketMs.length,
      fmt(percentile(s.firstPacketMs, 0.5), 1),
      fmt(percentile(s.firstPacketMs, 0.95), 1),
      fmt(percentile(s.firstPacketMs, 0.99), 1),
      fmt(percentile(s.joinReplyMs, 0.5), 1),
      s.failures,
      fmt(s.workerLoad),
      verdict({ foreignLoad: s.foreignLoad, generatorLoad: 0 }).disturbed ? `disturbed (${fmt(s.foreignLoad)} cores other load)` : 'ok',
    ]),
  ),
)
out.push('')
for (const [name, r] of Object.entries(rates)) {
  out.push(`sustained, 8 concurrent join-leave loops, ${name}: ${fmt(r.joinsPerSecond, 1)} joins/s to first media (p50 ${fmt(r.p50, 1)} ms), ${r.failures} failed`)
}
process.stdout.write(`${out.join('\n')}\n`)
const file = args.out ?? fileURLToPath(new URL(`./results/join-latency-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url))
mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
writeFileSync(file, JSON.stringify({ kind: 'join-latency', at: new Date().toISOString(), joins, pinned, series: all, sustained: rates }, null, 1))
process.stdout.write(`JSON: ${file}\n`)
process.exit(0)
