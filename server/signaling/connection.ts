// Owns one signaling WebSocket: parses and validates every message, runs its handler (one at a
// time, in arrival order), answers it, and leaves the room when the socket closes. Bad input gets an
// error reply and a quiet log line (it is the client's doing, not ours); a connection that keeps
// sending it is closed. It never throws out of here.
import type { WebSocket } from 'ws'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import type { TSchema } from '@sinclair/typebox'
import { SfuError } from '../sfu/errors.ts'
import type { SfuLogger } from '../sfu/logger.ts'
import { handlers } from './handlers/index.ts'
import { boundsProblem } from './json-bounds.ts'
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
/** Close code (policy violation) for a connection that sent too many malformed messages. */
export const CLOSE_BAD_INPUT = 1008
/** Malformed messages one connection may send per minute; the web client sends none. */
export const MAX_BAD_MESSAGES = 20
const BAD_MESSAGE_WINDOW_MS = 60_000

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

  // Malformed messages: answered, logged once per connection at warn (later ones at debug, without
  // stacks), and the connection closed when they keep coming, so no client can fill the log.
  let badMessages = 0
  let badWindowStart = 0
  const refuse = (id: number | null, code: SignalingErrorCode, message: string): void => {
    fail(id, code, message)
    const now = Date.now()
    if (now - badWindowStart > BAD_MESSAGE_WINDOW_MS) {
      badWindowStart = now
      badMessages = 0
    }
    badMessages += 1
    const entry = { room: deps.roomId, code, problem: message.slice(0, 200) }
    if (badMessages === 1) log.warn(entry, 'signaling message refused')
    else log.debug(entry, 'signaling message refused')
    if (badMessages === MAX_BAD_MESSAGES) {
      log.warn({ room: deps.roomId, count: badMessages }, 'signaling connection closed: too many malformed messages')
      socket.close(CLOSE_BAD_INPUT, 'too many malformed messages')
    }
  }

  const handle = async (raw: string): Promise<void> => {
    if (socket.readyState !== socket.OPEN) return
    let message: unknown
    try {
      message = JSON.parse(raw)
    } catch {
      return refuse(null, 'bad_json', 'message is not valid JSON')
    }
    // Before any schema or handler walks it: mediasoup recurses into the open parts.
    // The id, when there is one, lets the client settle the request it is waiting on.
    const claimedId = typeof (message as { id?: unknown })?.id === 'number' ? (message as { id: number }).id : null
    const problem = boundsProblem(message)
    if (problem) return refuse(claimedId, 'too_complex', `message refused: ${problem}`)
    if (!envelopeCheck.Check(message)) {
      return refuse(claimedId, 'bad_request', `expected {id, method, data}: ${describe(envelopeCheck, message)}`)
    }
    const { id, method } = message
    const data = message.data ?? {}
    if (!Object.hasOwn(handlers, method)) return refuse(id, 'unknown_method', `unknown method '${method}'`)
    const name = method as MethodName
    const check = dataChecks[name]
    if (!check.Check(data)) return refuse(id, 'bad_request', `${name}: ${describe(check, data)}`)
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
    if (isBinary) return refuse(null, 'bad_request', 'binary frames are not accepted')
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
