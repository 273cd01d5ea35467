// Account administration through the REST API: roles, blocking, password reset, deletion, the audit log,
// and every refusal (last owner, admin vs owner, self, directory users, unknown ids, bad input).
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import type { UserId } from '../../../server/db/users-repository.ts'
import { build, buildListening, createMember, createOwner, OWNER, sessionCookie } from '../../helper.ts'
import { SignalingClient } from '../../signaling-client.ts'

const MEMBER_PASSWORD = 'member password 1'

const idOf = async (app: FastifyInstance, email: string): Promise<UserId> => (await app.usersRepository.findForSignIn(email))!.user.id

/** call: one admin request as the holder of `cookie`. */
const call = (app: FastifyInstance, cookie: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  app.inject({ method, url, headers: { cookie, 'content-type': 'application/json' }, ...(payload ? { payload } : {}) })

const me = async (app: FastifyInstance, cookie: string): Promise<number> => (await call(app, cookie, 'GET', '/api/auth/me')).statusCode

const signIn = (app: FastifyInstance, email: string, password: string) =>
  app.inject({ method: 'POST', url: '/api/auth/signin', payload: { email, password } })

/** makeAdmin adds an admin (as the owner) and returns their cookie. */
async function makeAdmin(app: FastifyInstance, owner: string, email: string, name: string): Promise<string> {
  const cookie = await createMember(app, owner, email, name)
  const res = await call(app, owner, 'PATCH', `/api/users/${await idOf(app, email)}`, { role: 'admin' })
  if (res.statusCode !== 200) throw new Error(`make admin failed: ${res.statusCode} ${res.body}`)
  return cookie
}

t.test('the list shows source and blocking; adding a user is audited', async (t) => {
  const app = await build(t)
  const owner = await createOwner(app)
  await createMember(app, owner, 'boris@corp.example', 'Борис')
  const users = (await call(app, owner, 'GET', '/api/users')).json().users as Record<string, unknown>[]
  t.match(users, [
    { email: OWNER.email, role: 'owner', authSource: 'local', blockedAt: null },
    { email: 'boris@corp.example', role: 'member', authSource: 'local', blockedAt: null },
  ])
  t.notOk(users.some((u) => 'passwordHash' in u), 'no hash leaves the server')
  const { entries } = await app.auditRepository.list()
  t.match(entries, [{ action: 'user.created', actorName: OWNER.displayName, targetName: 'Борис', detail: { role: 'member' } }])
})

t.test('roles: only an owner changes them; the last owner stays an owner', async (t) => {
  const app = await build(t)
  const owner = await createOwner(app)
  const ownerId = await idOf(app, OWNER.email)
  const admin = await makeAdmin(app, owner, 'anna@corp.example', 'Анна')
  await createMember(app, owner, 'boris@corp.example', 'Борис')
  const boris = await idOf(app, 'boris@corp.example')

  t.match((await app.auditRepository.list()).entries[1], { action: 'user.role_changed', targetName: 'Анна', detail: { from: 'member', to: 'admin' } })

  const byAdmin = await call(app, admin, 'PATCH', `/api/users/${boris}`, { role: 'admin' })
  t.equal(byAdmin.statusCode, 403)
  t.equal(byAdmin.json().error.code, 'owner_required')
  t.equal((await app.usersRepository.get(boris))!.role, 'member', 'unchanged')

  const bad = await call(app, owner, 'PATCH', `/api/users/${boris}`, { role: 'superuser' })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().error.code, 'bad_request')
  const unknown = await call(app, owner, 'PATCH', '/api/users/no-such-user', { role: 'admin' })
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.json().error.code, 'user_not_found')

  const last = await call(app, owner, 'PATCH', `/api/users/${ownerId}`, { role: 'admin' })
  t.equal(last.statusCode, 409)
  t.same(last.json().error, { code: 'last_owner', message: `${OWNER.displayName} is the workspace's only owner: make another user owner first` })
  t.equal((await app.usersRepository.get(ownerId))!.role, 'owner')

  const promoted = await call(app, owner, 'PATCH', `/api/users/${boris}`, { role: 'owner' })
  t.equal(promoted.statusCode, 200)
  t.equal(promoted.json().user.role, 'owner')
  const entries = (await app.auditRepository.list()).entries.length
  t.equal((await call(app, owner, 'PATCH', `/api/users/${boris}`, { role: 'owner' })).statusCode, 200, 'the same role again is fine')
  t.equal((await app.auditRepository.list()).entries.length, entries, 'and records nothing')

  // With a second owner the first may step down; the second, now alone, may not.
  t.equal((await call(app, owner, 'PATCH', `/api/users/${ownerId}`, { role: 'member' })).statusCode, 200)
  t.equal((await call(app, owner, 'PATCH', `/api/users/${boris}`, { role: 'member' })).statusCode, 403, 'a member changes nothing')
  const borisCookie = sessionCookie(await signIn(app, 'boris@corp.example', MEMBER_PASSWORD))
  t.equal((await call(app, borisCookie, 'PATCH', `/api/users/${boris}`, { role: 'admin' })).json().error.code, 'last_owner')
})

t.test('admins manage members only; nobody blocks or deletes themselves', async (t) => {
  const app = await build(t)
  const owner = await createOwner(app)
  const ownerId = await idOf(app, OWNER.email)
  const admin = await makeAdmin(app, owner, 'anna@corp.example', 'Анна')
  const annaId = await idOf(app, 'anna@corp.example')
  await makeAdmin(app, owner, 'egor@corp.example', 'Егор')
  const egor = await idOf(app, 'egor@corp.example')
  const member = await createMember(app, owner, 'boris@corp.example', 'Борис')
  const boris = await idOf(app, 'boris@corp.example')

  const refusals: [string, string, string, object | undefined][] = [
    ['POST', `/api/users/${ownerId}/block`, 'owner_required', undefined],
    ['POST', `/api/users/${egor}/block`, 'owner_required', undefined],
    ['POST', `/api/users/${ownerId}/password`, 'owner_required', { password: 'a new password' }],
    ['DELETE', `/api/users/${ownerId}`, 'owner_required', undefined],
    ['DELETE', `/api/users/${egor}`, 'owner_required', undefined],
  ]
  for (const [method, url, code, payload] of refusals) {
    const res = await call(app, admin, method as 'POST', url, payload)
    t.equal(res.statusCode, 403, `${method} ${url}`)
    t.equal(res.json().error.code, code)
  }
  t.equal((await app.usersRepository.get(ownerId))!.blockedAt, null)
  t.equal(await app.usersRepository.count(), 4)

  for (const [cookie, id] of [[admin, annaId], [owner, ownerId]] as const) {
    const block = await call(app, cookie, 'POST', `/api/users/${id}/block`)
    t.equal(block.statusCode, 409)
    t.equal(block.json().error.code, 'self_action')
    t.equal((await call(app, cookie, 'DELETE', `/api/users/${id}`)).json().error.code, 'self_action')
  }
  t.equal(await me(app, owner), 200, 'still signed in')

  t.equal((await call(app, member, 'POST', `/api/users/${boris}/block`)).statusCode, 403, 'members manage nobody')
  t.equal((await call(app, admin, 'POST', `/api/users/${boris}/block`)).statusCode, 200, 'an admin blocks a member')
  t.equal((await call(app, admin, 'POST', `/api/users/${boris}/unblock`)).statusCode, 200, 'and unblocks them')
  t.equal((await call(app, owner, 'POST', `/api/users/${egor}/block`)).statusCode, 200, 'an owner blocks an admin')
  t.equal((await call(app, owner, 'POST', '/api/users/nobody/block')).statusCode, 404)
  t.equal((await call(app, owner, 'DELETE', '/api/users/nobody')).statusCode, 404)
})

t.test('an owner blocked by another owner no longer counts as the one who keeps the workspace', async (t) => {
  const app = await build(t)
  const owner = await createOwner(app)
  const ownerId = await idOf(app, OWNER.email)
  await createMember(app, owner, 'boris@corp.example', 'Борис')
  const boris = await idOf(app, 'boris@corp.example')
  await call(app, owner, 'PATCH', `/api/users/${boris}`, { role: 'owner' })
  t.equal((await call(app, owner, 'POST', `/api/users/${boris}/block`)).statusCode, 200)
  const res = await call(app, owner, 'PATCH', `/api/users/${ownerId}`, { role: 'admin' })
  t.equal(res.statusCode, 409)
  t.equal(res.json().error.code, 'last_owner')
})

t.test('blocking ends every session at once and is audited; unblocking lets the user sign in again', async (t) => {
  const app = await build(t)
  const owner = await createOwner(app)
  const member = await createMember(app, owner, 'boris@corp.example', 'Борис')
  const second = sessionCookie(await signIn(app, 'boris@corp.example', MEMBER_PASSWORD))
  const boris = await idOf(app, 'boris@corp.example')
  t.equal(await me(app, member), 200)

  const blocked = await call(app, owner, 'POST', `/api/users/${boris}/block`)
  t.equal(blocked.statusCode, 200)
  t.type(blocked.json().user.blockedAt, 'number')
  t.equal(await me(app, member), 401, 'the session cookie stops working')
  t.equal(await me(app, second), 401, 'on every device')
  t.equal(await app.sessionsRepository.deleteForUser(boris), 0, 'no session is left')
  t.match((await app.auditRepository.list()).entries[0], { action: 'user.blocked', actorName: OWNER.displayName, targetId: boris, targetName: 'Борис' })

  const count = (await app.auditRepository.list()).entries.length
  t.equal((await call(app, owner, 'POST', `/api/users/${boris}/block`)).statusCode, 200, 'blocking twice is fine')
  t.equal((await app.auditRepository.list()).entries.length, count, 'and records nothing')

  const unblocked = await call(app, owner, 'POST', `/api/users/${boris}/unblock`)
  t.equal(unblocked.statusCode, 200)
  t.equal(unblocked.json().user.blockedAt, null)
  t.match((await app.auditRepository.list()).entries[0], { action: 'user.unblocked', targetName: 'Борис' })
  t.equal(await me(app, sessionCookie(await signIn(app, 'boris@corp.example', MEMBER_PASSWORD))), 200)
})

t.test('password reset: local users only, ends sessions, clears the lock, audited', async (t) => {
  const app = await build(t)
  const owner = await createOwner(app)
  const member = await createMember(app, owner, 'boris@corp.example', 'Борис')
  const boris = await idOf(app, 'boris@corp.example')
  await app.usersRepository.recordFailedSignIn(boris, Date.now() + 60_000)

  const weak = await call(app, owner, 'POST', `/api/users/${boris}/password`, { password: 'short' })
  t.equal(weak.statusCode, 400)
  t.equal(weak.json().error.code, 'weak_password')
  t.equal((await call(app, owner, 'POST', `/api/users/${boris}/password`, {})).statusCode, 400)
  t.equal((await call(app, owner, 'POST', '/api/users/nobody/password', { password: 'a new password' })).statusCode, 404)
  t.equal(await me(app, member), 200, 'refusals change nothing')

  const reset = await call(app, owner, 'POST', `/api/users/${boris}/password`, { password: 'a new password' })
  t.equal(reset.statusCode, 200)
  t.equal(await me(app, member), 401, 'their sessions ended')
  const record = (await app.usersRepository.signInRecord(boris))!
  t.equal(record.failedSignIns, 0)
  t.equal(record.lockedUntil, null)
  t.equal((await signIn(app, 'boris@corp.example', MEMBER_PASSWORD)).statusCode, 401, 'the old password no longer works')
  t.equal((await signIn(app, 'boris@corp.example', 'a new password')).statusCode, 200)
  t.match((await app.auditRepository.list()).entries[0], { action: 'user.password_reset', targetName: 'Борис', detail: {} })

  const ldap = await app.usersRepository.createExternal({ source: 'ldap', externalId: 'uid=vera,dc=corp', email: 'vera@corp.example', displayName: 'Вера', role: 'member' })
  const directory = await call(app, owner, 'POST', `/api/users/${ldap.id}/password`, { password: 'a new password' })
  t.equal(directory.statusCode, 409)
  t.same(directory.json().error, { code: 'directory_user', message: "Вера's password is managed by the directory (LDAP); change it there" })
  t.equal((await app.usersRepository.signInRecord(ldap.id))!.passwordHash, '', 'still no local password')
})

t.test('deleting a user removes their rooms and sessions and anonymises the audit log', async (t) => {
  const app = await build(t)
  const owner = await createOwner(app)
  const admin = await makeAdmin(app, owner, 'anna@corp.example', 'Анна Иванова')
  const anna = await idOf(app, 'anna@corp.example')
  // Anna acts (she is an actor in the log) and owns rooms.
  t.equal((await call(app, admin, 'POST', '/api/users', { email: 'c@corp.example', displayName: 'Кирилл', password: 'long password', role: 'member' })).statusCode, 201)
  const room = (await call(app, admin, 'POST', '/api/rooms', { title: 'Анна: планёрка' })).json().room.id as string
  // She met (history: her name, browser, address, chat) and recorded.
  const history = app.meetingHistory.repository
  const meeting = await history.startMeeting({ roomId: room, roomTitle: 'Планёрка', startedAt: 1000 })
  const stay = await history.addParticipant({
    meetingId: meeting, userId: anna, displayName: 'Анна Иванова', kind: 'internal', joinedAt: 1000,
    userAgent: 'Mozilla/5.0 (Windows NT 10.0) Chrome/130.0', browser: 'Chrome 130', os: 'Windows', ip: '10.9.8.7', viaProxy: true, forwardedFor: '10.9.8.7',
  })
  await history.addChat({ meetingId: meeting, participantId: stay, senderName: 'Анна Иванова', text: 'Всем привет', sentAt: 1500 })
  const recording = await app.recordingsRepository.create({ roomId: room, roomTitle: 'Планёрка', roomOwnerId: anna, startedBy: anna, startedByName: 'Анна Иванова', startedAt: 1000 })

  t.equal((await call(app, owner, 'DELETE', `/api/users/${anna}`)).statusCode, 204)
  t.equal(await app.usersRepository.get(anna), undefined)
  t.equal(await app.roomsRepository.get(room), undefined, 'her rooms are gone')
  t.equal(await me(app, admin), 401, 'her sessions are gone')
  t.equal((await call(app, owner, 'DELETE', `/api/users/${anna}`)).statusCode, 404, 'deleting twice: not found')

  const label = `deleted user #${anna.slice(0, 8)}`
  const entries = (await app.auditRepository.list()).entries
  t.match(entries[0], { action: 'user.deleted', actorName: OWNER.displayName, targetId: anna, targetName: label, detail: { role: 'admin', rooms: 1 } })
  t.match(entries.find((e) => e.action === 'user.created' && e.actorId === anna), { actorName: label, targetName: 'Кирилл' })
  t.match(entries.find((e) => e.action === 'user.role_changed'), { targetName: label })
  t.notOk(JSON.stringify(entries).includes('Анна'), 'her name appears nowhere in the log')
  t.notOk(JSON.stringify(entries).includes('anna@'), 'nor her e-mail')
  const met = JSON.stringify(await history.get(meeting))
  t.notOk(/Анна|10\.9\.8\.7|Chrome|Windows/.test(met), `her name, address and browser are gone from the meeting history: ${met}`)
  t.ok(met.includes(label) && met.includes('Всем привет'), 'the meeting keeps an anonymous participant and the chat text')
  t.equal((await app.recordingsRepository.get(recording.id))?.startedByName, label, 'the recording stays, under the anonymous label')
})

t.test('the audit log: owners only, newest first, in pages', async (t) => {
  const app = await build(t)
  const owner = await createOwner(app)
  const admin = await makeAdmin(app, owner, 'anna@corp.example', 'Анна')
  const member = await createMember(app, owner, 'boris@corp.example', 'Борис')
  t.equal((await call(app, admin, 'GET', '/api/audit')).statusCode, 403)
  t.equal((await call(app, member, 'GET', '/api/audit')).statusCode, 403)
  t.equal((await app.inject('/api/audit')).statusCode, 401)
  t.equal((await call(app, owner, 'GET', '/api/audit?limit=0')).statusCode, 400)
  t.equal((await call(app, owner, 'GET', '/api/audit?limit=201')).statusCode, 400)
  t.equal((await call(app, owner, 'GET', '/api/audit?before=x')).statusCode, 400)

  // created Anna, made her admin, created Boris.
  const first = (await call(app, owner, 'GET', '/api/audit?limit=2')).json()
  t.match(first.entries, [{ action: 'user.created', targetName: 'Борис' }, { action: 'user.role_changed', targetName: 'Анна' }])
  t.type(first.next, 'number')
  const second = (await call(app, owner, 'GET', `/api/audit?limit=2&before=${first.next}`)).json()
  t.match(second.entries, [{ action: 'user.created', targetName: 'Анна' }])
  t.equal(second.next, null)
  t.equal((await call(app, owner, 'GET', '/api/audit')).json().entries.length, 3)
})

t.test('blocking or deleting a user ends their live meeting connections', async (t) => {
  const { app, port } = await buildListening(t)
  const signal = (roomId: string) => `wss://127.0.0.1:${port}/api/rooms/${roomId}/signal`
  const connect = async (roomId: string, cookie?: string) => {
    const c = await SignalingClient.connect(signal(roomId), cookie)
    t.teardown(() => c.close())
    return c
  }
  const owner = await createOwner(app)
  const member = await createMember(app, owner, 'boris@corp.example', 'Борис')
  const boris = await idOf(app, 'boris@corp.example')
  const open = (cookie: string, title: string) => call(app, cookie, 'POST', '/api/rooms', { title }).then((r) => r.json().room.id as string)
  const standup = await open(owner, 'Standup')
  const review = await open(owner, 'Review')
  t.equal((await call(app, owner, 'PATCH', `/api/rooms/${review}`, { lobby: 'everyone' })).statusCode, 200)

  // Olga hosts both; Boris is in the standup and, from a second tab, waits in the review's lobby.
  const olga = await connect(standup, owner)
  t.ok((await olga.request('join')).ok)
  const olgaReview = await connect(review, owner)
  t.ok((await olgaReview.request('join')).ok)
  const inMeeting = await connect(standup, member)
  const borisPeer = ((await inMeeting.request('join')).data as { peerId: string }).peerId
  const waiting = await connect(review, member)
  t.match(await waiting.request('join'), { ok: true, data: { waiting: true } })
  const otherMember = await createMember(app, owner, 'vera@corp.example', 'Вера')
  const vera = await connect(standup, otherMember)
  t.ok((await vera.request('join')).ok)
  // A third tab opened while Boris was still allowed, but joining only after the block.
  const late = await connect(standup, member)

  t.equal((await call(app, owner, 'POST', `/api/users/${boris}/block`)).statusCode, 200)
  t.match(await late.request('join'), { ok: false, error: { code: 'forbidden', message: /blocked/ } }, 'a connection opened before the block cannot join after it')
  await inMeeting.waitFor('removed')
  t.equal((await inMeeting.closed).code, 4000, 'the participant connection closes for good')
  await waiting.waitFor('lobbyRejected')
  t.equal((await waiting.closed).code, 4000, 'the waiting connection closes for good')
  await olga.waitFor('peerLeft', (d: { peerId: string }) => d.peerId === borisPeer)
  t.equal(app.roomRegistry.participants(standup), 2, 'Olga and Vera are still in the meeting')
  t.equal(app.roomRegistry.get(review)?.moderation.lobby.size, 0)
  const again = await SignalingClient.connect(signal(standup), member)
  t.teardown(() => again.close())
  t.match(await again.request('join'), { ok: false, error: { code: 'bad_request' } }, 'the old cookie is a guest now, who must give a name')

  // Vera's own room, live with a guest in it, ends when Vera is deleted.
  const verasRoom = await open(otherMember, 'Vera’s room')
  const veraHere = await connect(verasRoom, otherMember)
  t.ok((await veraHere.request('join')).ok)
  const guest = await connect(verasRoom)
  t.ok((await guest.request('join', { displayName: 'Гость' })).ok)
  t.equal((await call(app, owner, 'DELETE', `/api/users/${await idOf(app, 'vera@corp.example')}`)).statusCode, 204)
  await vera.waitFor('removed')
  await veraHere.waitFor('removed')
  t.match(await guest.waitFor('roomClosed'), { reason: 'deleted' })
  t.equal(app.roomRegistry.get(verasRoom), undefined, 'her room is closed')
  t.equal(app.roomRegistry.participants(standup), 1, 'only Olga is left in the standup')
})
