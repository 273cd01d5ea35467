// What a 2-room x 3-participant license allows, where people meet the limits.
import t from 'tap'
import { join } from 'node:path'
import { Type } from '@sinclair/typebox'
import { replies } from '../../../server/routes/common-schemas.ts'
import { ensureLocalTls } from '../../../server/tls/local-ca.ts'
import { build, createMember, createOwner, tempDir } from '../../helper.ts'
import { SignalingClient } from '../../signaling-client.ts'

t.test('the third simultaneous room and the fourth participant are refused, naming the limit', async (t) => {
  const tls = ensureLocalTls(join(tempDir(t), 'tls'), ['127.0.0.1'])
  const app = await build(t, { https: tls, license: { limits: { rooms: 2, participantsPerRoom: 3, internalUsers: 3 } } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const base = `wss://127.0.0.1:${(app.server.address() as { port: number }).port}`
  const owner = await createOwner(app)
  const rooms: string[] = []
  for (const title of ['A', 'B', 'C']) {
    const res = await app.inject({ method: 'POST', url: '/api/rooms', headers: { cookie: owner }, payload: { title } })
    t.equal(res.statusCode, 201, 'creating rooms is not limited: meeting in them is')
    rooms.push(res.json().room.id)
  }
  const joinRoom = async (roomId: string, name: string) => {
    const c = await SignalingClient.connect(`${base}/api/rooms/${roomId}/signal`)
    t.teardown(() => c.close())
    return { client: c, reply: await c.request('join', { displayName: name }) }
  }

  t.ok((await joinRoom(rooms[0]!, 'a1')).reply.ok)
  t.ok((await joinRoom(rooms[1]!, 'b1')).reply.ok)
  const third = await joinRoom(rooms[2]!, 'c1')
  t.match(third.reply, { ok: false, error: { code: 'room_limit', limit: 2, message: /allows 2 simultaneous meetings and all are in use/ } })
  t.equal(app.roomRegistry.size, 2, 'no third room was opened')

  t.ok((await joinRoom(rooms[0]!, 'a2')).reply.ok)
  t.ok((await joinRoom(rooms[0]!, 'a3')).reply.ok)
  const fourth = await joinRoom(rooms[0]!, 'a4')
  t.match(fourth.reply, { ok: false, error: { code: 'room_full', limit: 3, message: 'this meeting is full: the license allows 3 participants per meeting' } })
  t.equal(app.roomRegistry.participants(rooms[0]!), 3)

  // Joins that race for the last seat: exactly one wins.
  const racers = await Promise.all(['r1', 'r2', 'r3'].map((n) => joinRoom(rooms[1]!, n)))
  t.same(racers.map((r) => r.reply.ok).sort(), [false, true, true])
  t.equal(app.roomRegistry.participants(rooms[1]!), 3)

  // Internal users: the license allows 3 (the owner counts).
  await createMember(app, owner, 'u1@corp.example', 'U1')
  await createMember(app, owner, 'u2@corp.example', 'U2')
  const over = await app.inject({
    method: 'POST',
    url: '/api/users',
    headers: { cookie: owner },
    payload: { email: 'u3@corp.example', displayName: 'U3', password: 'long enough 1', role: 'member' },
  })
  t.equal(over.statusCode, 403)
  t.same(over.json().error, { code: 'user_limit', message: 'the license allows 3 internal users and the workspace has 3: ask the vendor for a larger plan' })

  const view = (await app.inject({ url: '/api/license', headers: { cookie: owner } })).json()
  t.same(view.usage, { rooms: 2, internalUsers: 3 }, 'the owner sees usage against the limits')
  t.same(view.features, ['recording'])
})

t.test('a feature outside the license is refused by the API that needs it', async (t) => {
  const app = await build(t, {
    license: { features: ['recording'] },
    extend: (app) => {
      // Every /api route declares its answers (server/plugins/rest-contract.ts), test routes too.
      const schema = { response: replies({ 200: Type.Object({ ok: Type.Boolean() }) }) }
      app.post('/api/test-streaming', { schema, preHandler: app.requireFeature('streaming') }, async () => ({ ok: true }))
      app.post('/api/test-recording', { schema, preHandler: app.requireFeature('recording') }, async () => ({ ok: true }))
    },
  })
  const streaming = await app.inject({ method: 'POST', url: '/api/test-streaming' })
  t.equal(streaming.statusCode, 403)
  t.same(streaming.json().error, { code: 'feature_unlicensed', message: 'the license does not include streaming: ask the vendor for a plan with it' })
  t.equal((await app.inject({ method: 'POST', url: '/api/test-recording' })).statusCode, 200)
})
