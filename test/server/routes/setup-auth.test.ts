import t from 'tap'
import { build, createOwner, OWNER, sessionCookie } from '../../helper.ts'

t.test('first run: the owner is created once, then setup is closed', async (t) => {
  const app = await build(t)
  t.same((await app.inject('/api/setup/status')).json(), { needsOwner: true })

  const weak = await app.inject({ method: 'POST', url: '/api/setup/owner', payload: { ...OWNER, password: 'short' } })
  t.equal(weak.statusCode, 400)
  t.equal(weak.json().error.code, 'weak_password')

  const created = await app.inject({ method: 'POST', url: '/api/setup/owner', payload: OWNER })
  t.equal(created.statusCode, 201)
  t.equal(created.json().user.role, 'owner')
  t.equal(created.json().user.displayName, OWNER.displayName)
  t.notOk('passwordHash' in created.json().user, 'no hash leaves the server')
  const cookie = created.cookies.find((c) => c.name === 'veche_session')!
  t.ok(cookie.httpOnly, 'httpOnly')
  t.ok(cookie.secure, 'Secure')
  t.equal(cookie.sameSite, 'Lax')

  t.same((await app.inject('/api/setup/status')).json(), { needsOwner: false })
  const again = await app.inject({ method: 'POST', url: '/api/setup/owner', payload: { ...OWNER, email: 'x@corp.example' } })
  t.equal(again.statusCode, 409)
  t.equal(again.json().error.code, 'owner_exists')
})

t.test('two setup forms at once make one owner', async (t) => {
  const app = await build(t)
  const results = await Promise.all(
    ['a', 'b', 'c'].map((n) => app.inject({ method: 'POST', url: '/api/setup/owner', payload: { ...OWNER, email: `${n}@corp.example` } })),
  )
  t.same(results.map((r) => r.statusCode).sort(), [201, 409, 409])
  t.equal((await app.usersRepository.list()).length, 1)
})

t.test('sign in, who am I, sign out', async (t) => {
  const app = await build(t)
  await createOwner(app)

  const wrong = await app.inject({ method: 'POST', url: '/api/auth/signin', payload: { email: OWNER.email, password: 'nope nope nope' } })
  t.equal(wrong.statusCode, 401)
  t.same(wrong.json(), { error: { code: 'invalid_credentials', message: 'wrong e-mail or password' } })
  const unknown = await app.inject({ method: 'POST', url: '/api/auth/signin', payload: { email: 'ghost@corp.example', password: OWNER.password } })
  t.equal(unknown.statusCode, 401)
  t.equal(unknown.json().error.code, 'invalid_credentials', 'unknown e-mail looks the same as a wrong password')

  const ok = await app.inject({ method: 'POST', url: '/api/auth/signin', payload: { email: OWNER.email.toUpperCase(), password: OWNER.password } })
  t.equal(ok.statusCode, 200, 'e-mail is case-insensitive')
  const cookie = sessionCookie(ok)
  const me = await app.inject({ url: '/api/auth/me', headers: { cookie } })
  t.equal(me.json().user.email, OWNER.email)

  t.equal((await app.inject({ method: 'POST', url: '/api/auth/signout', headers: { cookie, 'content-type': 'application/json' } })).statusCode, 204)
  const after = await app.inject({ url: '/api/auth/me', headers: { cookie } })
  t.equal(after.statusCode, 401, 'the old cookie is dead after sign-out')
  t.equal(after.json().error.code, 'unauthenticated')
})

t.test('an expired session is refused with a message to sign in again', async (t) => {
  const app = await build(t)
  const cookie = await createOwner(app)
  await app.sessionsRepository.expireNow(cookie.split('=')[1]!)
  const res = await app.inject({ url: '/api/rooms', headers: { cookie } })
  t.equal(res.statusCode, 401)
  t.match(res.json().error.message, /session may have expired/)
  t.equal(await app.sessionsRepository.purgeExpired(), 1, 'expired sessions are purged')
})

t.test('bad bodies get a 400 with a code, not a crash', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/api/auth/signin', payload: { email: 'a@b' } })
  t.equal(res.statusCode, 400)
  t.equal(res.json().error.code, 'bad_request')
  const garbage = await app.inject({ method: 'POST', url: '/api/auth/signin', headers: { 'content-type': 'application/json' }, payload: '{nope' })
  t.equal(garbage.statusCode, 400)
  t.ok(garbage.json().error.code)
  t.equal((await app.inject('/healthz')).statusCode, 200, 'still serving')
})

t.test('only owners and admins manage users', async (t) => {
  const app = await build(t)
  const owner = await createOwner(app)
  const made = await app.inject({
    method: 'POST',
    url: '/api/users',
    headers: { cookie: owner },
    payload: { email: 'ivan@corp.example', displayName: 'Иван', password: 'member password 1', role: 'member' },
  })
  t.equal(made.statusCode, 201)
  const dup = await app.inject({
    method: 'POST',
    url: '/api/users',
    headers: { cookie: owner },
    payload: { email: 'IVAN@corp.example', displayName: 'Иван 2', password: 'member password 1', role: 'member' },
  })
  t.equal(dup.statusCode, 409)
  t.equal(dup.json().error.code, 'email_taken')
  const signin = await app.inject({ method: 'POST', url: '/api/auth/signin', payload: { email: 'ivan@corp.example', password: 'member password 1' } })
  const member = sessionCookie(signin)
  const denied = await app.inject({ url: '/api/users', headers: { cookie: member } })
  t.equal(denied.statusCode, 403)
  t.equal((await app.inject({ url: '/api/users', headers: { cookie: owner } })).json().users.length, 2)
})
