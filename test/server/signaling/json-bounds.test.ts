// Any client, signed in or not, could send deeply nested mediasoup parameters (which overflowed
// mediasoup's stack) or oversized frames, each logging an error with a stack. Now such frames get a
// refusal, the log stays quiet (no error lines, no stacks), repeated garbage closes the connection,
// and the room keeps serving everyone else.
import t from 'tap'
import { pino } from 'pino'
import { buildListening, createOwner } from '../../helper.ts'
import { SignalingClient } from '../../signaling-client.ts'
import { MAX_BAD_MESSAGES } from '../../../server/signaling/connection.ts'
import { boundsProblem } from '../../../server/signaling/json-bounds.ts'

/** nested builds `[[[ ... 0 ... ]]]` `depth` levels deep, as text (JSON.stringify would overflow first). */
const nested = (depth: number): string => `${'['.repeat(depth)}0${']'.repeat(depth)}`

t.test('deep, oversized and repeated garbage frames: refused, quietly logged, others unaffected', async (t) => {
  const lines: string[] = []
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) })
  const { app, wss } = await buildListening(t, { logger })
  const owner = await createOwner(app)
  const roomId = (await app.inject({ method: 'POST', url: '/api/rooms', headers: { cookie: owner }, payload: { title: 'Standup' } })).json().room.id
  const url = `${wss}/api/rooms/${roomId}/signal`

  const alice = await SignalingClient.connect(url, owner)
  t.teardown(() => alice.close())
  t.ok((await alice.request('join')).ok)

  const mallory = await SignalingClient.connect(url)
  t.teardown(() => mallory.close())
  t.ok((await mallory.request('join', { displayName: 'Mallory' })).ok)
  const send = await mallory.request('createTransport', { direction: 'send' })
  const transportId = (send.data as { id: string }).id

  // ~10,000 levels inside the parameters mediasoup reads, well under the 64 KiB frame limit.
  const deepDtls = `{"id":50,"method":"connectTransport","data":{"transportId":"${transportId}","dtlsParameters":{"role":"client","fingerprints":${nested(10_000)}}}}`
  const deepRtp = `{"id":51,"method":"produce","data":{"transportId":"${transportId}","kind":"video","source":"camera","rtpParameters":{"codecs":${nested(10_000)}}}}`
  t.ok(deepDtls.length < 64 * 1024 && deepRtp.length < 64 * 1024)
  t.match(await mallory.sendRaw(deepDtls), { id: 50, ok: false, error: { code: 'too_complex', message: /nested deeper than 16 levels/ } })
  t.match(await mallory.sendRaw(deepRtp), { id: 51, ok: false, error: { code: 'too_complex' } })
  const wide = JSON.stringify({ id: 52, method: 'ready', data: { rtpCapabilities: { codecs: Array(5000).fill(0) } } })
  t.match(await mallory.sendRaw(wide), { ok: false, error: { code: 'too_complex' } })
  // Real mediasoup structures still pass the bounds and reach mediasoup's own checks.
  t.match(await mallory.request('connectTransport', { transportId, dtlsParameters: { role: 'nonsense', fingerprints: 'x' } }), {
    ok: false,
    error: { code: 'media_error' },
  })

  // A connection that keeps sending garbage is closed (policy violation).
  const noisy = await SignalingClient.connect(url)
  for (let i = 0; i < MAX_BAD_MESSAGES + 5; i++) noisy.socket.send(`garbage ${i}`)
  const closed = await noisy.closed
  t.equal(closed.code, 1008)
  t.match(closed.reason, /malformed/)
  t.ok(noisy.replies.length >= MAX_BAD_MESSAGES - 1 && noisy.replies.every((r) => r.error?.code === 'bad_json'), 'each was answered until the close')

  // An oversized frame closes only its own connection (1009, message too big).
  const big = await SignalingClient.connect(url)
  big.socket.send('x'.repeat(200 * 1024))
  t.equal((await big.closed).code, 1009)

  // Everyone else carries on.
  t.ok((await alice.request('chat', { text: 'still here' })).ok)
  t.match(await alice.waitFor('chatMessage'), { text: 'still here' })
  t.ok((await mallory.request('chat', { text: 'me too' })).ok, 'a refused message does not end the sender either')
  t.equal((await app.inject('/healthz')).statusCode, 200)

  // The log: no error-level line and no stack for any of it; the garbage is logged once per connection.
  const entries = lines.map((l) => JSON.parse(l) as { level: number; msg: string; stack?: string; err?: unknown })
  const loud = entries.filter((e) => e.level >= 50 || JSON.stringify(e).includes('    at '))
  t.same(loud, [], 'nothing at error level, no stack traces')
  const warned = entries.filter((e) => e.level === 40 && e.msg === 'signaling message refused')
  t.equal(warned.length, 2, 'one warning for Mallory, one for the noisy connection; the rest at debug')
  t.equal(entries.filter((e) => e.msg === 'signaling connection closed: too many malformed messages').length, 1)
  t.equal(entries.filter((e) => e.msg === 'websocket closed: frame over the size limit').length, 1)
})

t.test('boundsProblem: real shapes fit; depth, breadth and long strings do not', async (t) => {
  const capabilities = {
    codecs: Array.from({ length: 60 }, (_, i) => ({
      kind: 'video',
      mimeType: 'video/VP8',
      preferredPayloadType: 96 + i,
      clockRate: 90000,
      parameters: { 'x-google-start-bitrate': 1000, apt: 96 },
      rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'goog-remb', parameter: '' }],
    })),
    headerExtensions: Array.from({ length: 20 }, (_, i) => ({ kind: 'video', uri: `urn:ietf:params:rtp-hdrext:${i}`, preferredId: i })),
  }
  t.equal(boundsProblem({ id: 1, method: 'ready', data: { rtpCapabilities: capabilities } }), null)
  t.equal(boundsProblem(JSON.parse(nested(16))), null, '16 levels fit')
  t.match(boundsProblem(JSON.parse(nested(17))), /nested deeper than 16 levels/)
  t.match(boundsProblem(JSON.parse(nested(100_000))), /nested deeper/, 'no recursion of its own: a very deep value is fine to check')
  t.match(boundsProblem({ a: 'x'.repeat(9000) }), /string longer/)
  t.match(boundsProblem({ ['k'.repeat(9000)]: 1 }), /key longer/)
  t.match(boundsProblem(Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i]))), /more than 1000 entries/)
  t.match(boundsProblem(Array.from({ length: 30 }, () => Array(900).fill(0))), /more than 20000 values/)
})
