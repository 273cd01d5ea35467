// Prints how the server process's own memory moves over waves of guest joins and leaves, per malloc
// setting: RSS at start, its high-water mark in each wave, RSS after each wave once idle and collected,
// the V8 heap beside it, what glibc holds free (malloc_info through gdb), and RSS after malloc_trim(0).
// A plateau that a second wave does not raise is memory the allocator keeps for reuse; one that rises
// per wave is a leak. Each join is a guest on the real signaling WebSocket (TLS) of the real
// `bin/veche serve`: join, a send and a recv WebRTC transport, one ICE check (UDP or ICE-TCP in turn),
// then leave (half by the `leave` request, half by dropping the socket as a closed tab does).
// Run: bin/veche-node bench/server-memory.ts [--joins N] [--waves W] [--variants glibc,arena2,...] [--concurrency C]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import WebSocket from 'ws'
import { stopOnSignal } from './lib/bench-env.ts'
import { checkIceUdp, connectIceTcp, type IceCredentials } from './lib/ice-client.ts'
import { mallocInfo, mallocTrim, type MallocInfo } from './lib/malloc-info.ts'
import type { ProbeReport } from './lib/memory-probe.ts'
import { rssBytes } from './lib/proc.ts'
import { table } from './lib/report.ts'
import { sleep } from './lib/stats.ts'
import { VecheTarget } from './lib/targets/veche.ts'

const { values: args } = parseArgs({
  options: {
    joins: { type: 'string', default: '19000' },
    waves: { type: 'string', default: '2' },
    variants: { type: 'string', default: 'glibc,arena2,trim' },
    concurrency: { type: 'string', default: '16' },
    rooms: { type: 'string', default: '8' },
    'idle-seconds': { type: 'string', default: '15' },
    out: { type: 'string' },
  },
})
const joinsPerWave = Number(args.joins)
const waves = Number(args.waves)
const concurrency = Number(args.concurrency)
const roomCount = Number(args.rooms)
const idleMs = Number(args['idle-seconds']) * 1000
const log = (line: string): void => void process.stderr.write(`${line}\n`)
const mb = (b: number): string => (Number.isFinite(b) ? (b / 1048576).toFixed(1) : '-')

/** The malloc settings compared; each runs its own server, started with this environment. */
const VARIANTS: Record<string, Record<string, string>> = {
  glibc: {},
  arena2: { MALLOC_ARENA_MAX: '2' },
  // A fixed trim threshold also turns off glibc's sliding mmap threshold; no top pad.
  trim: { MALLOC_TRIM_THRESHOLD_: '131072', MALLOC_TOP_PAD_: '0' },
  'arena2+trim': { MALLOC_ARENA_MAX: '2', MALLOC_TRIM_THRESHOLD_: '131072', MALLOC_TOP_PAD_: '0' },
}
const chosen = args.variants!.split(',')
for (const v of chosen) if (!VARIANTS[v]) throw new Error(`unknown variant ${v}: use some of ${Object.keys(VARIANTS).join(', ')}`)

interface Kernel {
  rss: number
  hwm: number
  /** smaps_rollup: anonymous memory and private dirty pages (what a trim could give back). */
  anonymous: number
  privateDirty: number
  /** Resident anonymous memory in 256 KiB mappings, V8's heap page size: its pages, pooled ones too. */
  pages256k: number
}

/** pages256k sums the Anonymous of the anonymous read-write mappings exactly 256 KiB long. */
function pages256k(pid: number): number {
  let total = 0
  let counted = false
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) rw-p \S+ \S+ 0\s*$/.exec(line)
    if (head) counted = Number.parseInt(head[2]!, 16) - Number.parseInt(head[1]!, 16) === 256 * 1024
    else if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) counted = false
    else if (counted && line.startsWith('Anonymous:')) total += Number(/(\d+) kB/.exec(line)![1]) * 1024
  }
  return total
}

function kernel(pid: number): Kernel {
  const kb = (text: string, key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN) * 1024
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')
  return { rss: kb(status, 'VmRSS'), hwm: kb(status, 'VmHWM'), anonymous: kb(rollup, 'Anonymous'), privateDirty: kb(rollup, 'Private_Dirty'), pages256k: pages256k(pid) }
}

interface Sample {
  at: string
  kernel: Kernel
  probe?: ProbeReport
  malloc?: MallocInfo
  workerRss: number
}

/** probe asks the memory probe in the server for its figures (after two collections). */
async function probe(pid: number, file: string): Promise<ProbeReport> {
  let before = ''
  try {
    before = readFileSync(file, 'utf8')
  } catch {
    // First request: no report yet.
  }
  process.kill(pid, 'SIGUSR2')
  for (let i = 0; i < 100; i++) {
    await sleep(50)
    try {
      const text = readFileSync(file, 'utf8')
      if (text !== before) return JSON.parse(text) as ProbeReport
    } catch {
      // Not written yet.
    }
  }
  throw new Error('the memory probe in the server did not answer in 5 s: was it started with NODE_OPTIONS=--import?')
}

/** GuestSocket: one guest's signaling connection, requests answered in order. */
class GuestSocket {
  readonly #ws: WebSocket
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  #next = 1

  private constructor(ws: WebSocket) {
    this.#ws = ws
    ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw)) as { id?: number; ok?: boolean; data?: unknown; error?: { code: string } }
      const p = msg.id === undefined ? undefined : this.#pending.get(msg.id)
      if (!p) return
      this.#pending.delete(msg.id!)
      if (msg.ok) p.resolve(msg.data)
      else p.reject(new Error(msg.error?.code ?? 'error'))
    })
    ws.on('close', () => {
      for (const p of this.#pending.values()) p.reject(new Error('signaling closed'))
      this.#pending.clear()
    })
    ws.on('error', () => undefined)
  }

  static open(url: string): Promise<GuestSocket> {
    // The server's certificate is from its own local CA; the TLS handshake is done all the same.
    // A browser offers permessage-deflate: so does this client (the server declines it).
    const ws = new WebSocket(url, { rejectUnauthorized: false, perMessageDeflate: true })
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new GuestSocket(ws)))
      ws.once('error', reject)
    })
  }

  request<T>(method: string, data: object = {}): Promise<T> {
    const id = this.#next++
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.#ws.send(JSON.stringify({ id, method, data }))
    })
  }

  /** close ends the connection: politely (close handshake) or as a vanished tab (no handshake). */
  close(politely: boolean): Promise<void> {
    if (this.#ws.readyState === WebSocket.CLOSED) return Promise.resolve()
    return new Promise((done) => {
      this.#ws.once('close', () => done())
      if (politely) this.#ws.close()
      else this.#ws.terminate()
    })
  }
}

interface TransportReply {
  iceParameters: IceCredentials
  iceCandidates: { protocol: string; port: number }[]
}

/** guest makes one guest join and leave; `n` picks the ICE protocol and the way of leaving. */
async function guest(signalUrl: string, n: number): Promise<void> {
  const s = await GuestSocket.open(signalUrl)
  try {
    await s.request('join', { displayName: `guest ${n}` })
    await s.request('createTransport', { direction: 'send' })
    const recv = await s.request<TransportReply>('createTransport', { direction: 'recv' })
    const port = (p: string): number => recv.iceCandidates.find((c) => c.protocol === p)!.port
    if (n % 2 === 0) {
      const socket = await checkIceUdp('127.0.0.1', port('udp'), recv.iceParameters)
      socket.close()
    } else {
      // The server closes first (the transport goes when the guest leaves), as when a tab closes.
      const conn = await connectIceTcp('127.0.0.1', port('tcp'), recv.iceParameters)
      if (n % 4 === 1) await s.request('leave')
      await s.close(n % 4 === 1)
      await Promise.race([conn.ended, sleep(1000)])
      conn.socket.destroy()
      return
    }
    if (n % 4 === 0) await s.request('leave')
  } finally {
    await s.close(n % 4 < 2)
  }
}

/** wave runs `joins` guest joins and leaves, `concurrency` at a time over the rooms; returns joins/s. */
async function wave(target: VecheTarget, rooms: string[], joins: number, label: string): Promise<{ perSecond: number; failures: number; maxRss: number }> {
  const pid = target.processes().control
  const base = target.url.replace('https:', 'wss:')
  let next = 0
  let done = 0
  let failures = 0
  let maxRss = 0
  const t0 = performance.now()
  const watch = setInterval(() => {
    maxRss = Math.max(maxRss, rssBytes(pid))
  }, 250)
  const progress = setInterval(() => log(`  ${label}: ${done}/${joins} joins, server RSS ${mb(rssBytes(pid))} MB, ${failures} failed`), 10_000)
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let n = next++; n < joins; n = next++) {
          try {
            await guest(`${base}/api/rooms/${rooms[n % rooms.length]}/signal`, n)
          } catch (err) {
            if (failures++ < 3) log(`  a join failed: ${(err as Error).message}`)
          }
          done++
        }
      }),
    )
  } finally {
    clearInterval(watch)
    clearInterval(progress)
  }
  return { perSecond: joins / ((performance.now() - t0) / 1000), failures, maxRss }
}

/** startWith starts a server whose environment adds `env` and the memory probe. */
async function startWith(env: Record<string, string>, probeFile: string): Promise<VecheTarget> {
  const added: Record<string, string> = {
    ...env,
    NODE_OPTIONS: `--expose-gc --import=${fileURLToPath(new URL('./lib/memory-probe.ts', import.meta.url))}`,
    VECHE_MEMORY_PROBE: probeFile,
  }
  const saved = Object.fromEntries(Object.keys(added).map((k) => [k, process.env[k]]))
  Object.assign(process.env, added)
  try {
    return await VecheTarget.start({ workers: 1 })
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}

interface VariantResult {
  variant: string
  env: Record<string, string>
  samples: Sample[]
  waves: { perSecond: number; failures: number; maxRss: number; hwm: number }[]
  afterTrim?: Kernel
}

async function runVariant(name: string): Promise<VariantResult> {
  const probeFile = join(tmpdir(), `veche-memory-probe-${process.pid}-${name}.json`)
  const target = await startWith(VARIANTS[name]!, probeFile)
  current = target
  const pid = target.processes().control
  const result: VariantResult = { variant: name, env: VARIANTS[name]!, samples: [], waves: [] }
  const sample = async (at: string, withMalloc: boolean): Promise<Sample> => {
    const p = await probe(pid, probeFile)
    await sleep(200)
    let malloc: MallocInfo | undefined
    try {
      if (withMalloc) malloc = mallocInfo(pid)
    } catch (err) {
      log(`  malloc_info through gdb failed (${(err as Error).message.split('\n')[0]}): the free-bytes column stays empty`)
    }
    const s: Sample = { at, kernel: kernel(pid), probe: p, workerRss: target.processes().workers.reduce((a, w) => a + rssBytes(w), 0), ...(malloc ? { malloc } : {}) }
    result.samples.push(s)
    log(`  ${name} ${at}: RSS ${mb(s.kernel.rss)} MB (HWM ${mb(s.kernel.hwm)}), heap used ${mb(p.memory.heapUsed)} of ${mb(p.memory.heapTotal)} MB, external ${mb(p.memory.external)} MB, malloc free ${mb(malloc?.freeBytes ?? Number.NaN)} MB in ${malloc?.arenas ?? '-'} arenas`)
    return s
  }
  try {
    const rooms = await Promise.all(Array.from({ length: roomCount }, () => target.createRoom()))
    log(`${name}: server pid ${pid}, env ${JSON.stringify(VARIANTS[name])}`)
    // Warm-up: JIT, caches, the first rooms' routers; the start figure is taken after it.
    await wave(target, rooms, Math.min(500, joinsPerWave), 'warm-up')
    await sleep(idleMs)
    await sample('start', true)
    for (let w = 1; w <= waves; w++) {
      const r = await wave(target, rooms, joinsPerWave, `wave ${w}`)
      const hwm = kernel(pid).hwm
      result.waves.push({ ...r, hwm })
      log(`  wave ${w}: ${r.perSecond.toFixed(0)} joins/s, ${r.failures} failed, RSS max ${mb(r.maxRss)} MB`)
      await sleep(idleMs)
      await sample(`after wave ${w}`, true)
    }
    try {
      mallocTrim(pid)
      await sleep(500)
      result.afterTrim = kernel(pid)
      log(`  after malloc_trim(0): RSS ${mb(result.afterTrim.rss)} MB`)
    } catch (err) {
      log(`  malloc_trim through gdb failed: ${(err as Error).message.split('\n')[0]}`)
    }
  } finally {
    await target.close()
    current = undefined
  }
  return result
}

let current: VecheTarget | undefined
stopOnSignal(async () => {
  await current?.close()
})

const results: VariantResult[] = []
for (const v of chosen) results.push(await runVariant(v))

const out: string[] = []
out.push(`Veche server memory over guest joins, ${new Date().toISOString()}; ${waves} waves of ${joinsPerWave} joins, ${concurrency} at a time over ${roomCount} rooms; MB`)
out.push('')
const at = (r: VariantResult, label: string): Sample | undefined => r.samples.find((s) => s.at === label)
const waveCols = Array.from({ length: waves }, (_, i) => i + 1)
out.push(
  table(
    ['variant', 'RSS start', ...waveCols.flatMap((w) => [`wave ${w} peak`, `after wave ${w} + idle`]), 'after malloc_trim(0)', 'joins/s'],
    results.map((r) => [
      r.variant,
      mb(at(r, 'start')!.kernel.rss),
      ...waveCols.flatMap((w) => [mb(Math.max(r.waves[w - 1]!.maxRss, r.waves[w - 1]!.hwm)), mb(at(r, `after wave ${w}`)!.kernel.rss)]),
      mb(r.afterTrim?.rss ?? Number.NaN),
      r.waves.map((w) => w.perSecond.toFixed(0)).join(', '),
    ]),
  ),
)
out.push('')
out.push(
  table(
    ['variant', 'sample', 'RSS', 'Anonymous', 'Private_Dirty', '256 KiB maps', 'heap used', 'heap total', 'external', 'arrayBuffers', 'V8 malloced', 'malloc system', 'malloc free', 'arenas', 'open handles', 'worker RSS'],
    results.flatMap((r) =>
      r.samples.map((s) => [
        r.variant,
        s.at,
        mb(s.kernel.rss),
        mb(s.kernel.anonymous),
        mb(s.kernel.privateDirty),
        mb(s.kernel.pages256k),
        mb(s.probe?.memory.heapUsed ?? Number.NaN),
        mb(s.probe?.memory.heapTotal ?? Number.NaN),
        mb(s.probe?.memory.external ?? Number.NaN),
        mb(s.probe?.memory.arrayBuffers ?? Number.NaN),
        mb(s.probe?.heap.malloced_memory ?? Number.NaN),
        mb(s.malloc?.systemBytes ?? Number.NaN),
        mb(s.malloc?.freeBytes ?? Number.NaN),
        s.malloc?.arenas ?? '-',
        Object.values(s.probe?.resources ?? {}).reduce((a, b) => a + b, 0),
        mb(s.workerRss),
      ]),
    ),
  ),
)
process.stdout.write(`${out.join('\n')}\n`)
const file = args.out ?? fileURLToPath(new URL(`./results/server-memory-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url))
mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
writeFileSync(file, JSON.stringify({ kind: 'server-memory', at: new Date().toISOString(), joinsPerWave, waves, concurrency, rooms: roomCount, results }, null, 1))
process.stdout.write(`JSON: ${file}\n`)
process.exit(0)
