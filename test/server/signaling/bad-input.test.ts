import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildListening, createOwner } from '../../helper.ts'
import { eventually } from '../../eventually.ts'
import { SignalingClient } from '../../signaling-client.ts'

async function listening(t: Test): Promise<{ app: FastifyInstance; base: string; owner: string }> {
  const { app, port } = await buildListening(t)
  return { app, base: `wss://127.0.0.1:${port}`, owner: await createOwner(app) }
}

async function newRoom(app: FastifyInstance, cookie: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/rooms', headers: { cookie }, payload: { title: 'Standup' } })
  return res.json().room.id
}

t.test('garbage gets error replies with codes; the room keeps serving others', async (t) => {
  const { app, base, owner } = await listening(t)
  const roomId = await newRoom(app, owner)
  const url = `${base}/api/rooms/${roomId}/signal`

  const alice = await SignalingClient.connect(url, owner)
  t.teardown(() => alice.close())
  const joined = await alice.request('join')
  t.ok(joined.ok, 'the employee joins with the account name')
  t.equal((joined.data as { self: { kind: string } }).self.kind, 'internal')

  const mallory = await SignalingClient.connect(url)
  t.teardown(() => mallory.close())
  t.match(await mallory.sendRaw('not json'), { id: null, ok: false, error: { code: 'bad_json' } })
  t.match(await mallory.sendRaw('[1,2,3]'), { id: null, ok: false, error: { code: 'bad_request' } })
  t.match(await mallory.sendRaw('{"id":7}'), { id: 7, ok: false, error: { code: 'bad_request' } })
  t.match(await mallory.sendRaw(Buffer.from([1, 2, 3])), { ok: false, error: { code: 'bad_request' } })
  t.match(await mallory.request('format-disk'), { ok: false, error: { code: 'unknown_method', message: "unknown method 'format-disk'" } })
  t.match(await mallory.request('__proto__'), { ok: false, error: { code: 'unknown_method' } })
  t.match(await mallory.request('chat', { text: 'hi' }), { ok: false, error: { code: 'not_joined' } })
  t.match(await mallory.request('join', { displayName: 5 }), { ok: false, error: { code: 'bad_request' } })
  t.match(await mallory.request('join', { displayName: 'x', admin: true }), { ok: false, error: { code: 'bad_request' } })
  t.match(await mallory.request('join', {}), { ok: false, error: { code: 'bad_request', message: 'guests must give a display name' } })
  const guestJoin = await mallory.request('join', { displayName: 'Гость' })
  t.match(guestJoin, { ok: true }, JSON.stringify(guestJoin))
  t.match(await mallory.request('join', { displayName: 'Гость' }), { ok: false, error: { code: 'already_joined' } })
  t.match(await mallory.request('connectTransport', { transportId: 'nope', dtlsParameters: {} }), { ok: false, error: { code: 'not_found' } })
  const send = await mallory.request('createTransport', { direction: 'send' })
  t.ok(send.ok)
  const transportId = (send.data as { id: string }).id
  t.match(await mallory.request('connectTransport', { transportId, dtlsParameters: { role: 'nonsense', fingerprints: 'x' } }), {
    ok: false,
    error: { code: 'media_error' },
  })
  t.match(await mallory.request('produce', { transportId, kind: 'video', source: 'camera', rtpParameters: { codecs: 'x' } }), {
    ok: false,
  })
  t.match(await mallory.request('ready', { rtpCapabilities: {} }), { ok: false, error: { code: 'bad_request' } })

  // Oversized frames close that one connection with 1009 (message too big)...
  mallory.socket.send('x'.repeat(200 * 1024))
  t.equal((await mallory.closed).code, 1009)
  await alice.waitFor('peerLeft')

  // ...while the others in the room carry on.
  const reply = await alice.request('chat', { text: 'still here' })
  t.ok(reply.ok)
  t.match(await alice.waitFor('chatMessage'), { text: 'still here' })
  t.equal(app.roomRegistry.participants(roomId), 1)
  t.equal((await app.inject('/healthz')).statusCode, 200)
})

t.test('a deleted room ends the meeting and refuses new joins', async (t) => {
  const { app, base, owner } = await listening(t)
  const roomId = await newRoom(app, owner)
  const url = `${base}/api/rooms/${roomId}/signal`
  const guest = await SignalingClient.connect(url)
  t.ok((await guest.request('join', { displayName: 'Guest' })).ok)
  const late = await SignalingClient.connect(url)
  t.teardown(() => late.close())

  await app.inject({ method: 'DELETE', url: `/api/rooms/${roomId}`, headers: { cookie: owner, 'content-type': 'application/json' } })
  t.match(await guest.waitFor('roomClosed'), { reason: 'deleted' })
  t.equal((await guest.closed).code, 4000)
  t.match(await late.request('join', { displayName: 'Late' }), {
    ok: false,
    error: { code: 'room_not_found', message: 'this meeting does not exist or was deleted' },
  })
  t.equal(app.roomRegistry.size, 0, 'the live room is freed')
})

t.test('chat history is kept for the meeting and given to whoever joins', async (t) => {
  const { app, base, owner } = await listening(t)
  const roomId = await newRoom(app, owner)
  const url = `${base}/api/rooms/${roomId}/signal`
  const a = await SignalingClient.connect(url, owner)
  t.teardown(() => a.close())
  await a.request('join')
  await a.request('chat', { text: 'первое' })
  await a.request('chat', { text: '  second  ' })
  const b = await SignalingClient.connect(url)
  t.teardown(() => b.close())
  const joined = (await b.request('join', { displayName: 'Guest' })).data as { chat: { text: string }[]; peers: unknown[] }
  t.same(joined.chat.map((m) => m.text), ['первое', 'second'])
  t.equal(joined.peers.length, 1)
  t.match(await a.waitFor('peerJoined'), { displayName: 'Guest', kind: 'guest' })
  await b.request('leave')
  t.match(await a.waitFor('peerLeft'), {})
  a.close()
  await a.closed
  await eventually('the room to close', () => (app.roomRegistry.size === 0 ? true : undefined))
  t.equal(app.roomRegistry.size, 0, 'the last one out frees the room; its chat goes with it')
})
