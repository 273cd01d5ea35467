// The C receive side: builds bench/sink/rtp-sink.c (with publisher.c and srtp-session.c) with the
// system C compiler, linked against libsrtp2 where its headers are (cached by source hash, offline),
// and drives it over its stdin/stdout line protocol: receive ports (plain or SRTP), null ports, and
// the publishers of SRTP steps (so Node only sets up transports and keys, and reads counters).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { NullArrivals, NullMode } from './null-port.ts'
import type { ReceivePort, ReceiveReport, ReceiveSide } from './receive-side.ts'
import { keyHex, type SrtpParameters } from './srtp.ts'

const SOURCES = ['rtp-sink.c', 'publisher.c', 'srtp-session.c', 'publisher.h', 'srtp-session.h'].map((f) =>
  fileURLToPath(new URL(`../sink/${f}`, import.meta.url)),
)

export interface BuiltSink {
  path: string
  /** Linked against libsrtp2: SRTP ports and SRTP publishers work. */
  srtp: boolean
}

/**
 * buildSink compiles the sink once per source version into the cache (with libsrtp2 if it links,
 * else plain RTP only); the reason if it cannot be built at all.
 */
export function buildSink(): BuiltSink | { error: string } {
  const hash = createHash('sha256')
  for (const f of SOURCES) hash.update(readFileSync(f))
  const dir = join(process.env.VECHE_CACHE ?? join(homedir(), '.cache', 'veche'), 'bench')
  const base = join(dir, `rtp-sink-${hash.digest('hex').slice(0, 12)}`)
  if (existsSync(`${base}-srtp`)) return { path: `${base}-srtp`, srtp: true }
  if (existsSync(base)) return { path: base, srtp: false }
  mkdirSync(dir, { recursive: true })
  const c = SOURCES.filter((f) => f.endsWith('.c'))
  const cc = (out: string, flags: string[]): string | undefined => {
    const r = spawnSync(process.env.CC ?? 'cc', ['-O2', '-o', out, ...c, ...flags], { encoding: 'utf8' })
    return r.error || r.status !== 0 ? (r.error?.message ?? r.stderr.trim()) : undefined
  }
  if (cc(`${base}-srtp`, ['-DVECHE_SRTP', '-lsrtp2', '-lm']) === undefined) return { path: `${base}-srtp`, srtp: true }
  const error = cc(base, ['-lm'])
  return error === undefined ? { path: base, srtp: false } : { error }
}

/** A publisher the sink runs: its local port and SSRCs, for connectPlainTransport and produce. */
export interface SinkPublisher {
  id: number
  port: number
  audioSsrc: number
  videoSsrcs: number[]
}

/** What the sink's publishers sent since it started (windows take differences). */
export interface PublisherTotals {
  /** Audio and top-layer packets: what one subscriber of each publisher receives. */
  published: number
  packets: number
  keyFrames: number
  keyFrameRequests: number
  /** Packets that failed SRTP protect or unprotect (receive ports included): 0 when keys agree. */
  srtpErrors: number
}

export class SinkReceiveSide implements ReceiveSide {
  readonly kind = 'sink'
  readonly #child: ChildProcess
  readonly #waiting: ((line: string) => void)[] = []
  readonly #ports = new Map<number, ReceivePort>()

  private constructor(child: ChildProcess) {
    this.#child = child
    createInterface({ input: child.stdout! }).on('line', (line) => this.#waiting.shift()?.(line))
  }

  static start(path: string): SinkReceiveSide {
    return new SinkReceiveSide(spawn(path, [], { stdio: ['pipe', 'pipe', 'inherit'] }))
  }

  get pid(): number {
    return this.#child.pid!
  }

  #ask(command: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.#waiting.push((line) => (line.startsWith('error') ? reject(new Error(`rtp-sink: ${line}`)) : resolve(line)))
      this.#child.stdin!.write(`${command}\n`)
    })
  }

  async open(): Promise<ReceivePort> {
    const [, id, portNumber] = (await this.#ask('open')).split(' ').map(Number) as [number, number, number]
    const port: ReceivePort = {
      port: portNumber,
      streams: 0,
      key: async (params) => void (await this.#ask(`key ${id} ${params.cryptoSuite} ${keyHex(params)}`)),
      close: () => {
        this.#ports.delete(id)
        void this.#ask(`close ${id}`)
      },
    }
    this.#ports.set(id, port)
    return port
  }

  /**
   * openNull opens a null port (see null-port.ts) that drops or drains what arrives. It is not
   * counted, so its `streams` stays 0.
   */
  async openNull(mode: NullMode): Promise<ReceivePort> {
    const [, id, portNumber] = (await this.#ask(`null ${mode}`)).split(' ').map(Number) as [number, number, number]
    return { port: portNumber, streams: 0, key: async () => undefined, close: () => void this.#ask(`close ${id}`) }
  }

  /** openPublisher opens an idle publisher whose socket is connected to the server's `ip`:`port`. */
  async openPublisher(ip: string, port: number): Promise<SinkPublisher> {
    const [, id, local, audioSsrc, ...video] = (await this.#ask(`pub ${ip} ${port}`)).split(' ').map(Number) as number[]
    return { id: id!, port: local!, audioSsrc: audioSsrc!, videoSsrcs: video }
  }

  /** startPublisher starts sending: plain RTP, or SRTP with our key and the server's (for its RTCP). */
  async startPublisher(id: number, srtp?: { ours: SrtpParameters; server: SrtpParameters }): Promise<void> {
    await this.#ask(srtp ? `start ${id} ${srtp.ours.cryptoSuite} ${keyHex(srtp.ours)} ${keyHex(srtp.server)}` : `start ${id} plain`)
  }

  closePublisher(id: number): void {
    void this.#ask(`unpub ${id}`)
  }

  async publisherTotals(): Promise<PublisherTotals> {
    const [, published, packets, keyFrames, keyFrameRequests, srtpErrors] = (await this.#ask('pubs')).split(' ').map(Number) as number[]
    return { published: published!, packets: packets!, keyFrames: keyFrames!, keyFrameRequests: keyFrameRequests!, srtpErrors: srtpErrors! }
  }

  /** nullArrivals returns the packets that reached the open null ports since each opened. */
  async nullArrivals(): Promise<NullArrivals> {
    const [, drained, dropped] = (await this.#ask('nulls')).split(' ').map(Number) as [number, number, number]
    return { drained, dropped }
  }

  async reset(): Promise<void> {
    await this.#ask('reset')
  }

  async report(): Promise<ReceiveReport> {
    const [, received, expected, p50, p99, ...ports] = (await this.#ask('report')).split(' ')
    for (const entry of ports) {
      const [id, streams] = entry.split(':').map(Number) as [number, number]
      const port = this.#ports.get(id)
      if (port) port.streams = streams
    }
    const ms = (s: string | undefined): number => (Number(s) < 0 ? Number.NaN : Number(s))
    return { received: Number(received), expected: Number(expected), delayP50Ms: ms(p50), delayP99Ms: ms(p99) }
  }

  async close(): Promise<void> {
    const exited = new Promise((done) => this.#child.once('exit', done))
    this.#child.stdin!.end()
    await exited
  }
}
