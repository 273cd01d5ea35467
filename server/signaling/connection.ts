// Owns one signaling WebSocket: parses and validates every message, runs its handler (one at a
// time, in arrival order), answers it, and leaves the room when the socket closes. Bad input gets an
// error reply; it never throws out of here.
import type { WebSocket } from 'ws'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import type { TSchema } from '@sinclair/typebox'
import { SfuError } from '../sfu/errors.ts'
import type { SfuLogger } from '../sfu/logger.ts'
import { handlers } from './handlers/index.ts'
import type { Handler } from './handler.ts'
import {
  methods,
  RequestEnvelope,
  type MethodName,
  type Notifications,
  type NotificationName,
  type Response,
  type SignalingErrorCode,
} from './protocol.ts'
import type { SignalingSession } from './session.ts'

const envelopeCheck = TypeCompiler.Compile(RequestEnvelope)
const dataChecks = Object.fromEntries(
  Object.entries(methods).map(([name, schema]) => [name, TypeCompiler.Compile(schema as TSchema)]),
) as Record<MethodName, TypeCheck<TSchema>>

/** Close code sent when the room ends (deleted, server shutdown): the client should not reconnect. */
export const CLOSE_ROOM_ENDED = 4000

function describe(check: TypeCheck<TSchema>, value: unknown): string {
  const e = check.Errors(value).First()
  return e ? `${e.path || '(root)'}: ${e.message}` : 'invalid'
}

export type SessionDeps = Omit<SignalingSession, 'notify' | 'room' | 'peer' | 'waiting'>

export function serveSignaling(socket: WebSocket, deps: SessionDeps, log: SfuLogger): void {
  const send = (message: object): void => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message))
  }
  const notify = <N extends NotificationName>(notification: N, data: Notifications[N]): void => {
    send({ notification, data })
    // Nothing more for this connection. Closed on the next turn, so a reply being sent (a host's own
    // endMeeting) still goes out first.
    if (notification === 'roomClosed' || notification === 'lobbyRejected' || notification === 'removed') {
      setImmediate(() => socket.close(CLOSE_ROOM_ENDED, notification === 'roomClosed' ? 'room ended' : notification))
    }
  }
  const session: SignalingSession = { ...deps, notify, room: undefined, peer: undefined, waiting: undefined }
  const fail = (id: number | null, code: SignalingErrorCode, message: string, limit?: number): void => {
    const reply: Response = { id, ok: false, error: limit === undefined ? { code, message } : { code, message, limit } }
    send(reply)
  }

  const handle = async (raw: string): Promise<void> => {
    let message: unknown
    try {
      message = JSON.parse(raw)
    } catch {
      return fail(null, 'bad_json', 'message is not valid JSON')
    }
    if (!envelopeCheck.Check(message)) {
      const id = typeof (message as { id?: unknown })?.id === 'number' ? (message as { id: number }).id : null
      return fail(id, 'bad_request', `expected {id, method, data}: ${describe(envelopeCheck, message)}`)
    }
    const { id, method } = message
    const data = message.data ?? {}
    if (!Object.hasOwn(handlers, method)) return fail(id, 'unknown_method', `unknown method '${method}'`)
    const name = method as MethodName
    const check = dataChecks[name]
    if (!check.Check(data)) return fail(id, 'bad_request', `${name}: ${describe(check, data)}`)
    try {
      // The check above proved `data` matches this method's schema.
      const result = await (handlers[name] as Handler<MethodName>)(session, data as never)
      send({ id, ok: true, data: result } satisfies Response)
    } catch (err) {
      if (err instanceof SfuError) return fail(id, err.code, err.message, err.limit)
      // mediasoup rejects malformed RTP/DTLS parameters with TypeError or its own errors.
      const e = err as Error
      if (e.name === 'TypeError' || e.name === 'UnsupportedError' || e.name === 'InvalidStateError') {
        return fail(id, 'media_error', e.message)
      }
      log.error({ room: deps.roomId, method: name, err: e.message, stack: e.stack }, 'signaling handler failed')
      fail(id, 'internal', 'internal error; the server log has details')
    }
  }

  // One request at a time per connection: join must finish before the transports it creates are used.
  let queue: Promise<void> = Promise.resolve()
  socket.on('message', (raw, isBinary) => {
    if (isBinary) return fail(null, 'bad_request', 'binary frames are not accepted')
    queue = queue.then(() => handle(raw.toString()))
  })
  socket.on('close', () => {
    queue = queue.then(() => {
      if (session.room && session.peer) session.room.removePeer(session.peer.id)
      if (session.waiting) session.waiting.room.leaveLobby(session.waiting.entryId)
      session.room = undefined
      session.peer = undefined
      session.waiting = undefined
    })
  })
  socket.on('error', (err) => log.debug({ room: deps.roomId, err: err.message }, 'signaling socket error'))
}
