import t from 'tap'
import { build, createMember, createOwner } from '../../helper.ts'

t.test('employees create, list and delete their rooms; links are unguessable', async (t) => {
  const app = await build(t, { set: ['server.publicUrl=https://meet.corp.example/'] })
  const owner = await createOwner(app)
  const anna = await createMember(app, owner, 'anna@corp.example', 'Анна')

  const anonymous = await app.inject({ method: 'POST', url: '/api/rooms', payload: { title: 'x' } })
  t.equal(anonymous.statusCode, 401)

  const made = await app.inject({ method: 'POST', url: '/api/rooms', headers: { cookie: anna }, payload: { title: 'Планёрка' } })
  t.equal(made.statusCode, 201)
  const room = made.json().room
  t.equal(room.title, 'Планёрка')
  t.match(room.id, /^[A-Za-z0-9_-]{22}$/, '128-bit URL-safe id')
  t.equal(room.url, `https://meet.corp.example/r/${room.id}`)
  t.equal(room.participants, 0)

  const second = (await app.inject({ method: 'POST', url: '/api/rooms', headers: { cookie: anna }, payload: { title: 'Second' } })).json().room
  t.not(second.id, room.id)
  const list = (await app.inject({ url: '/api/rooms', headers: { cookie: anna } })).json().rooms
  t.same(list.map((r: { title: string }) => r.title).sort(), ['Second', 'Планёрка'])
  t.same((await app.inject({ url: '/api/rooms', headers: { cookie: owner } })).json().rooms, [], 'each sees their own')

  const pub = await app.inject(`/api/rooms/${room.id}`)
  t.same(pub.json(), { room: { id: room.id, title: 'Планёрка', pinRequired: false, lobby: 'off' } }, 'a guest can look up a room by its link')

  const blank = await app.inject({ method: 'POST', url: '/api/rooms', headers: { cookie: anna }, payload: { title: '   ' } })
  t.equal(blank.statusCode, 400)

  const boris = await createMember(app, owner, 'boris@corp.example', 'Борис')
  const notHis = await app.inject({ method: 'DELETE', url: `/api/rooms/${room.id}`, headers: { cookie: boris, 'content-type': 'application/json' } })
  t.equal(notHis.statusCode, 403)
  const del = await app.inject({ method: 'DELETE', url: `/api/rooms/${room.id}`, headers: { cookie: anna, 'content-type': 'application/json' } })
  t.equal(del.statusCode, 204)
  const gone = await app.inject(`/api/rooms/${room.id}`)
  t.equal(gone.statusCode, 404)
  t.equal(gone.json().error.code, 'room_not_found')
  const byOwner = await app.inject({ method: 'DELETE', url: `/api/rooms/${second.id}`, headers: { cookie: owner, 'content-type': 'application/json' } })
  t.equal(byOwner.statusCode, 204, 'the workspace owner may delete any room')
})

t.test('unknown API routes answer JSON 404; pages fall back to the client', async (t) => {
  const app = await build(t)
  const api = await app.inject('/api/nope')
  t.equal(api.statusCode, 404)
  t.equal(api.json().error.code, 'not_found')
  const ca = await app.inject('/ca.crt')
  t.equal(ca.statusCode, 200)
  t.equal(ca.headers['content-type'], 'application/x-x509-ca-cert')
})
