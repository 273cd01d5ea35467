// One WebSocket to a room's signaling endpoint: numbered requests with answers, and notifications.
import type {
  MethodData,
  MethodName,
  MethodResults,
  NotificationName,
  Notifications,
  Response,
  SignalingErrorBody,
} from '../../../signaling/protocol.ts'

/** A notification as it arrives, narrowed by its name. */
export type NotificationMessage = {
  [N in NotificationName]: { notification: N; data: Notifications[N] }
}[NotificationName]

/**
 * SignalingError is a request's failure: the server's `{ code, message }`, or `timeout` / `closed` when
 * no answer could arrive.
 */
export class SignalingError extends Error {
  readonly code: SignalingErrorBody['code'] | 'timeout' | 'closed'
  /** The license limit a room_full / room_limit refusal names. */
  readonly limit: number | undefined
  constructor(code: SignalingError['code'], message: string, limit?: number) {
    super(message)
    this.name = 'SignalingError'
    this.code = code
    this.limit = limit
  }
}

interface Pending {
  resolve: (data: unknown) => void
  reject: (error: Error) => void
  timer: ReturnType<typeof setTimeout>
}

const requestTimeoutMs = 15_000

/** signalingUrl is the room's WebSocket address on this same origin (so the session cookie goes along). */
export function signalingUrl(roomId: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${location.host}/api/rooms/${encodeURIComponent(roomId)}/signal`
}

export class SignalingClient {
  /** Called for every server notification. */
  onNotification: (message: NotificationMessage) => void = () => {}
  /** Called once when the connection ends without close() having been called. */
  onUnexpectedClose: (event: { code: number; reason: string }) => void = () => {}

  readonly #socket: WebSocket
  readonly #pending = new Map<number, Pending>()
  #nextId = 1
  #closedByUs = false

  private constructor(socket: WebSocket) {
    this.#socket = socket
    socket.addEventListener('message', (event) => this.#receive(event.data))
    socket.addEventListener('close', (event) => {
      this.#failPending(new SignalingError('closed', 'connection closed'))
      if (!this.#closedByUs) this.onUnexpectedClose({ code: event.code, reason: event.reason })
    })
  }

  /**
   * SignalingClient.connect opens the socket; it rejects with a `closed` SignalingError when the socket
   * fails or does not open within timeoutMs.
   */
  static connect(url: string, timeoutMs = 10_000): Promise<SignalingClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url)
      const timer = setTimeout(() => {
        socket.close()
        reject(new SignalingError('closed', 'connection timed out'))
      }, timeoutMs)
      const onOpen = () => {
        clearTimeout(timer)
        socket.removeEventListener('close', onClose)
        resolve(new SignalingClient(socket))
      }
      const onClose = (event: CloseEvent) => {
        clearTimeout(timer)
        reject(new SignalingError('closed', `connection failed (${event.code})`))
      }
      socket.addEventListener('open', onOpen, { once: true })
      socket.addEventListener('close', onClose, { once: true })
    })
  }

  /** request sends a method and resolves with its result; rejects with SignalingError. */
  request<M extends MethodName>(method: M, data: MethodData<M>): Promise<MethodResults[M]> {
    if (this.#socket.readyState !== WebSocket.OPEN) {
      return Promise.reject(new SignalingError('closed', 'not connected'))
    }
    const id = this.#nextId++
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id)
        reject(new SignalingError('timeout', `${method} got no answer`))
      }, requestTimeoutMs)
      // The answer's type follows from the method: the server's contract in protocol.ts.
      this.#pending.set(id, { resolve: resolve as (data: unknown) => void, reject, timer })
      this.#socket.send(JSON.stringify({ id, method, data }))
    })
  }

  /** close ends the connection without reporting it as unexpected. */
  close(): void {
    this.#closedByUs = true
    this.#failPending(new SignalingError('closed', 'connection closed'))
    if (this.#socket.readyState === WebSocket.OPEN || this.#socket.readyState === WebSocket.CONNECTING) {
      this.#socket.close(1000, 'bye')
    }
  }

  #receive(raw: unknown): void {
    if (typeof raw !== 'string') return
    let message: unknown
    try {
      message = JSON.parse(raw)
    } catch {
      return
    }
    if (typeof message !== 'object' || message === null) return
    if ('notification' in message) {
      this.onNotification(message as NotificationMessage)
      return
    }
    const response = message as Response
    if (typeof response.id !== 'number') return
    const pending = this.#pending.get(response.id)
    if (!pending) return
    this.#pending.delete(response.id)
    clearTimeout(pending.timer)
    if (response.ok) pending.resolve(response.data)
    else pending.reject(new SignalingError(response.error.code, response.error.message, response.error.limit))
  }

  #failPending(error: SignalingError): void {
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer)
      pending.reject(error)
    }
    this.#pending.clear()
  }
}
