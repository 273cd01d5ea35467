// The C receive side: builds bench/sink/rtp-sink.c with the system C compiler (cached by source
// hash) and drives it over its stdin/stdout line protocol. Returns undefined where no compiler is.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { NullArrivals, NullMode } from './null-port.ts'
import type { ReceivePort, ReceiveReport, ReceiveSide } from './receive-side.ts'
import type { SrtpContext } from './srtp.ts'

const SOURCE = fileURLToPath(new URL('../sink/rtp-sink.c', import.meta.url))

/** buildSink compiles the sink once per source version; undefined (with the reason) if it cannot. */
export function buildSink(): { path: string } | { error: string } {
  const source = readFileSync(SOURCE)
  const dir = join(process.env.VECHE_CACHE ?? join(homedir(), '.cache', 'veche'), 'bench')
  const path = join(dir, `rtp-sink-${createHash('sha256').update(source).digest('hex').slice(0, 12)}`)
  if (existsSync(path)) return { path }
  mkdirSync(dir, { recursive: true })
  const cc = spawnSync(process.env.CC ?? 'cc', ['-O2', '-o', path, SOURCE], { encoding: 'utf8' })
  if (cc.error || cc.status !== 0) return { error: cc.error?.message ?? cc.stderr.trim() }
  return { path }
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

  async open(srtp: SrtpContext | undefined): Promise<ReceivePort> {
    if (srtp) throw new Error('the C sink reads plain RTP only; SRTP steps receive in Node')
    const [, id, portNumber] = (await this.#ask('open')).split(' ').map(Number) as [number, number, number]
    const port: ReceivePort = {
      port: portNumber,
      streams: 0,
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
    return { port: portNumber, streams: 0, close: () => void this.#ask(`close ${id}`) }
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
