// A minimal signaling client for tests: requests with ids, and notifications to wait for.
import WebSocket from 'ws'

export interface Reply {
  id: number | null
  ok: boolean
  data?: unknown
  error?: { code: string; message: string }
}

export class SignalingClient {
  readonly socket: WebSocket
  readonly replies: Reply[] = []
  readonly notifications: { notification: string; data: unknown }[] = []
  #nextId = 1
  #waiters: (() => void)[] = []
  readonly closed: Promise<{ code: number; reason: string }>

  private constructor(socket: WebSocket) {
    this.socket = socket
    socket.on('message', (raw) => {
      const msg = JSON.parse(raw.toString()) as Reply & { notification?: string }
      if (msg.notification) this.notifications.push(msg as { notification: string; data: unknown })
      else this.replies.push(msg)
      for (const w of this.#waiters.splice(0)) w()
    })
    this.closed = new Promise((done) => socket.on('close', (code, reason) => done({ code, reason: reason.toString() })))
  }

  static connect(url: string, cookie?: string): Promise<SignalingClient> {
    const socket = new WebSocket(url, { rejectUnauthorized: false, headers: cookie ? { cookie } : {} })
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new SignalingClient(socket)))
      socket.once('error', reject)
    })
  }

  async #until<T>(find: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = find()
      if (found !== undefined) return found
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
      await new Promise<void>((r) => {
        this.#waiters.push(r)
        setTimeout(r, 100)
      })
    }
  }

  /** request sends a method call and resolves with the server's reply (ok or not). */
  async request(method: string, data: unknown = {}): Promise<Reply> {
    const id = this.#nextId++
    const before = this.replies.length
    this.socket.send(JSON.stringify({ id, method, data }))
    return this.#until(() => this.replies.slice(before).find((r) => r.id === id), `reply to ${method}`)
  }

  /** sendRaw sends anything and resolves with the next reply that arrives. */
  async sendRaw(payload: string | Buffer): Promise<Reply> {
    const before = this.replies.length
    this.socket.send(payload)
    return this.#until(() => this.replies[before], 'a reply')
  }

  waitFor(notification: string, match: (data: never) => boolean = () => true): Promise<unknown> {
    return this.#until(
      () => this.notifications.find((n) => n.notification === notification && match(n.data as never))?.data,
      `notification ${notification}`,
    )
  }

  close(): void {
    this.socket.close()
  }
}
