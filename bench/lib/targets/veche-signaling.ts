// A lean Veche signaling client for the load generator: one WebSocket, requests matched to replies
// by id without polling (join latency is timed through it), notifications to a callback.
import WebSocket from 'ws'

interface Reply {
  id: number | null
  ok: boolean
  data?: unknown
  error?: { code: string; message: string }
}

export class SignalingError extends Error {
  override name = 'SignalingError'
  readonly code: string
  constructor(method: string, code: string, message: string) {
    super(`${method}: ${code}: ${message}`)
    this.code = code
  }
}

export class VecheSignaling {
  onNotification: (name: string, data: unknown) => void = () => undefined
  readonly #socket: WebSocket
  readonly #pending = new Map<number, { method: string; resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  #nextId = 1

  private constructor(socket: WebSocket) {
    this.#socket = socket
    socket.on('message', (raw) => {
      const msg = JSON.parse(raw.toString()) as Reply & { notification?: string; data?: unknown }
      if (msg.notification) return this.onNotification(msg.notification, msg.data)
      const p = msg.id === null ? undefined : this.#pending.get(msg.id)
      if (!p) return
      this.#pending.delete(msg.id!)
      if (msg.ok) p.resolve(msg.data)
      else p.reject(new SignalingError(p.method, msg.error?.code ?? '?', msg.error?.message ?? ''))
    })
    socket.on('close', () => {
      for (const p of this.#pending.values()) p.reject(new Error(`${p.method}: signaling closed`))
      this.#pending.clear()
    })
  }

  /** connect opens the room's signaling socket, trusting `ca` (the server's local CA). */
  static connect(url: string, ca: string): Promise<VecheSignaling> {
    const socket = new WebSocket(url, { ca, perMessageDeflate: false })
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new VecheSignaling(socket)))
      socket.once('error', reject)
    })
  }

  /** request sends a method call; rejects with the server's error, or after 20 s without a reply. */
  request<T = unknown>(method: string, data: object = {}): Promise<T> {
    const id = this.#nextId++
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id)
        reject(new Error(`${method}: no reply in 20 s`))
      }, 20_000)
      const done = <A>(f: (a: A) => void) => (a: A): void => {
        clearTimeout(timer)
        f(a)
      }
      this.#pending.set(id, { method, resolve: done(resolve as (v: unknown) => void), reject: done(reject) })
      this.#socket.send(JSON.stringify({ id, method, data }))
    })
  }

  close(): Promise<void> {
    if (this.#socket.readyState === WebSocket.CLOSED) return Promise.resolve()
    return new Promise((done) => {
      this.#socket.once('close', () => done())
      this.#socket.close()
    })
  }
}
