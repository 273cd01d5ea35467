// The Veche target: the real `bin/veche serve` process on loopback with a fresh data folder and an
// activated test license with generous limits, plain transports on; participants join through the
// real signaling WebSocket of real rooms created through the REST API.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { seedActivatedLicense } from '../../../test/license-helper.ts'
import { childrenOf } from '../proc.ts'
import type { SrtpParameters } from '../srtp.ts'
import type { NewConsumer, PlainTransportInfo, SfuSession, SfuTarget, TargetProcesses } from './target.ts'
import { VecheSignaling } from './veche-signaling.ts'

const VECHE = fileURLToPath(new URL('../../../bin/veche', import.meta.url))
export const OWNER = { email: 'bench@corp.example', displayName: 'Bench', password: 'bench password 1' }

export interface VecheTargetOptions {
  workers: number
  /** media.peersPerWorker: 0 keeps every room on one worker. */
  peersPerWorker?: number
  /** Extra --set flags, e.g. to compare a configuration. */
  set?: string[]
}

export class VecheTarget implements SfuTarget {
  readonly name = 'veche'
  readonly #child: ChildProcess
  readonly #dir: string
  readonly #base: string
  readonly #ca: string
  #cookie = ''

  private constructor(child: ChildProcess, dir: string, base: string) {
    this.#child = child
    this.#dir = dir
    this.#base = base
    this.#ca = readFileSync(join(dir, 'tls', 'ca.crt'), 'utf8')
  }

  static async start(options: VecheTargetOptions): Promise<VecheTarget> {
    const dir = mkdtempSync(join(tmpdir(), 'veche-bench-'))
    await seedActivatedLicense(dir, { spec: { limits: { rooms: 1000, participantsPerRoom: 1000, internalUsers: 10 } } })
    const set = [
      `data.dir=${dir}`,
      'server.host=127.0.0.1',
      'server.port=0',
      'media.listenIp=127.0.0.1',
      'media.announcedAddress=127.0.0.1',
      'media.port=0',
      `media.workers=${options.workers}`,
      'media.plainTransports=true',
      `media.peersPerWorker=${options.peersPerWorker ?? 0}`,
      // Every synthetic participant comes from 127.0.0.1: one address standing for a whole office.
      'limits.perAddressPerMinute=100000000',
      'limits.perUserPerMinute=100000000',
      ...(options.set ?? []),
    ]
    const child = spawn(VECHE, ['serve', ...set.flatMap((s) => ['--set', s])], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, VECHE_CONFIG: undefined },
    })
    let stderr = ''
    child.stderr!.on('data', (d) => (stderr += String(d)))
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`veche did not start in 30 s: ${stderr}`)), 30_000)
      child.once('exit', (code) => reject(new Error(`veche exited with ${code}: ${stderr}`)))
      // Keep reading the log so the server never blocks on a full pipe.
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (!line.includes('veche is serving')) return
        clearTimeout(timer)
        resolve(Number(new URL((JSON.parse(line) as { url: string }).url).port))
      })
    })
    const target = new VecheTarget(child, dir, `https://127.0.0.1:${port}`)
    const res = await target.#http('POST', '/api/setup/owner', OWNER)
    target.#cookie = /veche_session=[^;]+/.exec(String(res.headers['set-cookie'] ?? ''))?.[0] ?? ''
    if (!target.#cookie) throw new Error(`setup failed: ${res.status} ${res.body}`)
    return target
  }

  /** url is the server's https base, e.g. https://127.0.0.1:43121. */
  get url(): string {
    return this.#base
  }

  /** certPem is the server's certificate, for a browser to trust. */
  get certPem(): string {
    return readFileSync(join(this.#dir, 'tls', 'server.crt'), 'utf8')
  }

  async #http(method: string, path: string, body?: object): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      const payload = body ? JSON.stringify(body) : undefined
      const req = request(
        `${this.#base}${path}`,
        {
          method,
          ca: this.#ca,
          headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...(this.#cookie ? { cookie: this.#cookie } : {}) },
        },
        (res) => {
          let text = ''
          res.on('data', (d) => (text += String(d)))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }))
        },
      )
      req.on('error', reject)
      req.end(payload)
    })
  }

  async createRoom(): Promise<string> {
    const res = await this.#http('POST', '/api/rooms', { title: 'Bench room' })
    if (res.status !== 201) throw new Error(`create room: ${res.status} ${res.body}`)
    return (JSON.parse(res.body) as { room: { id: string } }).room.id
  }

  async connect(room: string): Promise<SfuSession> {
    const url = `${this.#base.replace('https:', 'wss:')}/api/rooms/${room}/signal`
    return new VecheSession(await VecheSignaling.connect(url, this.#ca))
  }

  processes(): TargetProcesses {
    return { control: this.#child.pid!, workers: childrenOf(this.#child.pid!, /mediasoup-work/) }
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return
    const exited = new Promise((done) => this.#child.once('exit', done))
    this.#child.kill('SIGTERM')
    await exited
    rmSync(this.#dir, { recursive: true, force: true })
  }
}


export class VecheSession implements SfuSession {
  onNewConsumer: (c: NewConsumer) => void = () => undefined
  readonly #signaling: VecheSignaling

  constructor(signaling: VecheSignaling) {
    this.#signaling = signaling
    signaling.onNotification = (name, data) => {
      if (name === 'newConsumer') this.onNewConsumer(data as NewConsumer)
    }
  }

  async join(displayName: string): Promise<void> {
    await this.#signaling.request('join', { displayName })
  }

  createPlainTransport(direction: 'send' | 'recv', srtp: boolean): Promise<PlainTransportInfo> {
    return this.#signaling.request<PlainTransportInfo>('createPlainTransport', { direction, srtp })
  }

  async connectPlainTransport(transportId: string, ip: string, port: number, srtpParameters?: SrtpParameters): Promise<SrtpParameters | undefined> {
    const r = await this.#signaling.request<{ srtpParameters?: SrtpParameters }>('connectPlainTransport', { transportId, ip, port, ...(srtpParameters ? { srtpParameters } : {}) })
    return r.srtpParameters
  }

  async produce(transportId: string, kind: 'audio' | 'video', rtpParameters: object, source: 'mic' | 'camera'): Promise<string> {
    return (await this.#signaling.request<{ producerId: string }>('produce', { transportId, kind, rtpParameters, source })).producerId
  }

  async ready(rtpCapabilities: object): Promise<void> {
    await this.#signaling.request('ready', { rtpCapabilities })
  }

  async resumeConsumer(consumerId: string): Promise<void> {
    await this.#signaling.request('resumeConsumer', { consumerId })
  }

  close(): Promise<void> {
    return this.#signaling.close()
  }
}
