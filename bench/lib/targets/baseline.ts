// The baseline target: bare mediasoup in a child process (bench/baseline-sfu.ts), driven over IPC.
// Its Node process does only what mediasoup needs, so Veche's figures over these are Veche's cost.
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { SrtpParameters } from '../srtp.ts'
import type { BaselineNotice, BaselineOp, BaselineReply } from './baseline-protocol.ts'
import type { NewConsumer, PlainTransportInfo, SfuSession, SfuTarget, TargetProcesses } from './target.ts'

const CHILD = fileURLToPath(new URL('../../baseline-sfu.ts', import.meta.url))

export class BaselineTarget implements SfuTarget {
  readonly name = 'baseline'
  readonly #child: ChildProcess
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  readonly #sessions = new Map<string, BaselineSession>()
  #nextId = 1
  #workerPid = 0

  private constructor(child: ChildProcess) {
    this.#child = child
    child.on('message', (m: BaselineReply | BaselineNotice) => {
      if ('notice' in m) {
        this.#sessions.get(m.session)?.onNewConsumer({ consumerId: m.consumerId, kind: m.kind })
        return
      }
      const p = this.#pending.get(m.id)
      this.#pending.delete(m.id)
      if (m.ok) p?.resolve(m.result)
      else p?.reject(new Error(m.error))
    })
  }

  /**
   * BaselineTarget.start forks the child; `speakerObserver` gives each room Veche's active-speaker
   * observer; `workerBin` runs that mediasoup-worker binary instead of node_modules' (to compare builds).
   */
  static async start(options: { speakerObserver?: boolean; workerBin?: string } = {}): Promise<BaselineTarget> {
    const child = fork(CHILD, [], {
      execPath: process.execPath,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: {
        ...process.env,
        BENCH_BASELINE_SPEAKER: options.speakerObserver ? '1' : '0',
        ...(options.workerBin ? { MEDIASOUP_WORKER_BIN: options.workerBin } : {}),
      },
    })
    const target = new BaselineTarget(child)
    target.#workerPid = (await target.call({ op: 'workerPid' })) as number
    return target
  }

  call(op: BaselineOp): Promise<unknown> {
    const id = this.#nextId++
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
      this.#child.send({ ...op, id })
    })
  }

  async createRoom(): Promise<string> {
    return (await this.call({ op: 'createRoom' })) as string
  }

  async connect(room: string): Promise<SfuSession> {
    return new BaselineSession(this, room, this.#sessions)
  }

  processes(): TargetProcesses {
    return { control: this.#child.pid!, workers: [this.#workerPid] }
  }

  async close(): Promise<void> {
    if (!this.#child.connected) return
    const exited = new Promise((done) => this.#child.once('exit', done))
    this.#child.disconnect()
    await exited
  }
}

class BaselineSession implements SfuSession {
  onNewConsumer: (c: NewConsumer) => void = () => undefined
  readonly #target: BaselineTarget
  readonly #room: string
  readonly #registry: Map<string, BaselineSession>
  #id = ''

  constructor(target: BaselineTarget, room: string, registry: Map<string, BaselineSession>) {
    this.#target = target
    this.#room = room
    this.#registry = registry
  }

  async join(): Promise<void> {
    this.#id = (await this.#target.call({ op: 'join', room: this.#room })) as string
    this.#registry.set(this.#id, this)
  }

  async createPlainTransport(direction: 'send' | 'recv', srtp: boolean): Promise<PlainTransportInfo> {
    return (await this.#target.call({ op: 'createPlainTransport', session: this.#id, direction, srtp })) as PlainTransportInfo
  }

  async connectPlainTransport(transportId: string, ip: string, port: number, srtpParameters?: SrtpParameters): Promise<SrtpParameters | undefined> {
    const after = await this.#target.call({ op: 'connectPlainTransport', session: this.#id, transportId, ip, port, ...(srtpParameters ? { srtpParameters } : {}) })
    return (after ?? undefined) as SrtpParameters | undefined
  }

  async produce(transportId: string, kind: 'audio' | 'video', rtpParameters: object): Promise<string> {
    return (await this.#target.call({ op: 'produce', session: this.#id, transportId, kind, rtpParameters })) as string
  }

  async ready(rtpCapabilities: object): Promise<void> {
    await this.#target.call({ op: 'ready', session: this.#id, rtpCapabilities })
  }

  async resumeConsumer(): Promise<void> {
    // Bare mediasoup consumers are created running.
  }

  async close(): Promise<void> {
    await this.#target.call({ op: 'leave', session: this.#id })
    this.#registry.delete(this.#id)
  }
}
