// Corporate sign-in end to end against a real OpenID Connect provider: the browser's side is driven
// with HTTP requests, Veche's side through app.inject.
import t, { type Test } from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { LicenseSpec } from '../../../license-keys/vendor/issue.ts'
import { build, createOwner, OWNER, sessionCookie } from '../../helper.ts'
import { startOidcProvider, type TestAccount, type TestProvider } from '../../oidc-provider.ts'

const CALLBACK = 'https://meet.corp.example/api/auth/oidc/callback'
const VECHE = { clientId: 'veche', clientSecret: 'veche client secret', redirectUris: [CALLBACK] }
const OTHER = { clientId: 'other-app', clientSecret: 'other secret', redirectUris: [CALLBACK] }
const SSO_LICENSE: Partial<LicenseSpec> = { features: ['recording', 'sso'] }

const accounts = (): TestAccount[] => [
  { login: 'ivan', password: 'ivan pw', email: 'ivan@corp.example', name: 'Иван Петров', groups: ['staff', 'veche-admins'] },
  { login: 'olga', password: 'olga pw', email: 'olga@corp.example', name: 'Olga Boss', groups: ['veche-owners'] },
  { login: 'petr', password: 'petr pw', email: 'petr@corp.example', name: 'Пётр', groups: ['staff'] },
  { login: 'owner', password: 'owner pw', email: OWNER.email, name: 'Same e-mail as the local owner', groups: ['staff'] },
]

interface Setup {
  app: FastifyInstance
  provider: TestProvider
}

async function setup(t: Test, options: { set?: string[]; license?: Partial<LicenseSpec> | false } = {}): Promise<Setup> {
  const provider = await startOidcProvider(t, { clients: [VECHE, OTHER], accounts: accounts() })
  const app = await build(t, {
    license: options.license ?? SSO_LICENSE,
    set: [
      'server.publicUrl=https://meet.corp.example',
      `oidc.issuer=${provider.issuer}`,
      `oidc.clientId=${VECHE.clientId}`,
      `oidc.clientSecret=${VECHE.clientSecret}`,
      `oidc.caFile=${provider.caFile}`,
      'oidc.displayName=Corporate account',
      'oidc.ownerValues=veche-owners',
      'oidc.adminValues=veche-admins',
      ...(options.set ?? []),
    ],
  })
  return { app, provider }
}

interface Started {
  authorizationUrl: URL
  /** The browser-binding cookie, as a Cookie header. */
  browser: string
}

async function start(app: FastifyInstance, next?: string, browser?: string): Promise<Started> {
  const res = await app.inject({ url: `/api/auth/oidc/start${next ? `?next=${encodeURIComponent(next)}` : ''}`, headers: browser ? { cookie: browser } : {} })
  if (res.statusCode !== 302) throw new Error(`start: ${res.statusCode} ${res.body}`)
  const cookie = res.cookies.find((c) => c.name === 'veche_oidc')
  return { authorizationUrl: new URL(res.headers.location as string), browser: cookie ? `veche_oidc=${cookie.value}` : browser! }
}

const callback = (app: FastifyInstance, back: URL, browser: string): Promise<LightMyRequestResponse> =>
  app.inject({ url: `${back.pathname}${back.search}`, headers: { cookie: browser } })

/** signIn runs the whole flow as `login` and returns Veche's answer to the callback. */
async function signIn(s: Setup, login: string, next?: string): Promise<LightMyRequestResponse> {
  const started = await start(s.app, next)
  const back = await s.provider.authorize(started.authorizationUrl.href, login, s.provider.accounts.get(login)!.password)
  return callback(s.app, back, started.browser)
}

const errorOf = (res: LightMyRequestResponse): string | null =>
  res.statusCode === 302 ? new URL(res.headers.location as string, 'https://x').searchParams.get('error') : `HTTP ${res.statusCode}`

const users = (app: FastifyInstance): Promise<number> => app.usersRepository.count()

t.test('the sign-in page learns which methods are offered', async (t) => {
  const s = await setup(t)
  const methods = await s.app.inject({ url: '/api/auth/methods' })
  t.same(methods.json(), { login: 'email', oidc: { name: 'Corporate account' } })

  const off = await build(t)
  t.same((await off.inject({ url: '/api/auth/methods' })).json(), { login: 'email', oidc: null }, 'not configured: no button')

  const unlicensed = await setup(t, { license: {} })
  t.same((await unlicensed.app.inject({ url: '/api/auth/methods' })).json(), { login: 'email', oidc: null }, 'not licensed: no button')
})

t.test('first sign-in creates the user with the mapped role and a working session', async (t) => {
  const s = await setup(t)
  const started = await start(s.app, '/r/standup')
  const auth = started.authorizationUrl
  t.equal(`${auth.origin}${auth.pathname}`, `${s.provider.issuer}/auth`, 'the browser goes to the provider')
  t.equal(auth.searchParams.get('client_id'), 'veche')
  t.equal(auth.searchParams.get('redirect_uri'), CALLBACK, 'callback derived from server.publicUrl')
  t.equal(auth.searchParams.get('response_type'), 'code')
  t.equal(auth.searchParams.get('scope'), 'openid email profile')
  t.equal(auth.searchParams.get('code_challenge_method'), 'S256')
  t.match(auth.searchParams.get('state'), /^[\w-]{43}$/)
  t.match(auth.searchParams.get('nonce'), /^[\w-]{43}$/)
  t.notOk(auth.searchParams.has('code_verifier'), 'the PKCE secret stays on the server')

  const back = await s.provider.authorize(auth.href, 'ivan', 'ivan pw')
  t.equal(`${back.origin}${back.pathname}`, CALLBACK)
  const res = await callback(s.app, back, started.browser)
  t.equal(res.statusCode, 302)
  t.equal(res.headers.location, '/r/standup', 'back where the user wanted to go')

  const me = await s.app.inject({ url: '/api/auth/me', headers: { cookie: sessionCookie(res) } })
  t.equal(me.statusCode, 200)
  const cookie = res.cookies.find((c) => c.name === 'veche_session')
  t.equal(cookie?.maxAge, 12 * 3600, 'a corporate sign-in lasts oidc.sessionHours (12), not the 14 days of a password one')
  t.match(me.json().user, { email: 'ivan@corp.example', displayName: 'Иван Петров', role: 'admin', authSource: 'oidc' })
  const user = await s.app.usersRepository.findExternal('oidc', `${s.provider.issuer}|ivan`)
  t.equal(user?.id, me.json().user.id, 'known by issuer and subject')
  const created = (await s.app.auditRepository.list()).entries.find((e) => e.action === 'user.created')
  t.match(created, { actorId: null, targetId: user?.id, detail: { source: 'oidc', role: 'admin' } })
  t.equal((await s.app.inject({ url: '/api/rooms', headers: { cookie: sessionCookie(res) } })).statusCode, 200, 'the session opens the app')
  const password = await s.app.inject({ method: 'POST', url: '/api/auth/signin', payload: { email: 'ivan@corp.example', password: 'any password' } })
  t.equal(password.statusCode, 401, 'an SSO user has no Veche password')
})

t.test('the next sign-in reuses the user and refreshes name and role', async (t) => {
  const s = await setup(t)
  const first = await signIn(s, 'ivan')
  t.equal(first.headers.location, '/rooms', 'no next: the rooms page')
  const id = (await s.app.usersRepository.findExternal('oidc', `${s.provider.issuer}|ivan`))!.id
  const count = await users(s.app)

  s.provider.accounts.get('ivan')!.name = 'Иван Сидоров'
  s.provider.accounts.get('ivan')!.groups = ['staff']
  const second = await signIn(s, 'ivan')
  t.equal(second.statusCode, 302)
  t.equal(await users(s.app), count, 'no new user')
  const me = await s.app.inject({ url: '/api/auth/me', headers: { cookie: sessionCookie(second) } })
  t.match(me.json().user, { id, displayName: 'Иван Сидоров', role: 'member' })
  t.match(
    (await s.app.auditRepository.list()).entries.find((e) => e.action === 'user.role_changed'),
    { targetId: id, detail: { source: 'oidc', from: 'admin', to: 'member' } },
  )
})

t.test('the last owner is never demoted by the role claim', async (t) => {
  const s = await setup(t)
  await signIn(s, 'olga')
  const olga = (await s.app.usersRepository.findExternal('oidc', `${s.provider.issuer}|olga`))!
  t.equal(olga.role, 'owner')
  s.provider.accounts.get('olga')!.groups = []
  await signIn(s, 'olga')
  t.equal((await s.app.usersRepository.get(olga.id))!.role, 'owner', 'the only owner stays owner')

  await s.app.usersRepository.create({ email: OWNER.email, displayName: OWNER.displayName, role: 'owner', passwordHash: '' })
  await signIn(s, 'olga')
  t.equal((await s.app.usersRepository.get(olga.id))!.role, 'member', 'with another owner the claim applies')
})

t.test('a replayed callback and a replayed code are refused', async (t) => {
  const s = await setup(t)
  const started = await start(s.app)
  const back = await s.provider.authorize(started.authorizationUrl.href, 'petr', 'petr pw')
  t.equal((await callback(s.app, back, started.browser)).statusCode, 302)
  const count = await users(s.app)

  const again = await callback(s.app, back, started.browser)
  t.equal(errorOf(again), 'sso_expired', 'the state is used once')
  t.notOk(again.cookies.find((c) => c.name === 'veche_session'), 'no session')

  // The same code under a fresh state: the provider refuses it (used already, another PKCE secret).
  const fresh = await start(s.app, undefined, started.browser)
  const replayed = new URL(back)
  replayed.searchParams.set('state', fresh.authorizationUrl.searchParams.get('state')!)
  const res = await callback(s.app, replayed, started.browser)
  t.equal(errorOf(res), 'sso_failed')
  t.notOk(res.cookies.find((c) => c.name === 'veche_session'))
  t.equal(await users(s.app), count)
})

t.test('unknown state, a missing browser cookie and another browser are refused', async (t) => {
  const s = await setup(t)
  const started = await start(s.app)
  const back = await s.provider.authorize(started.authorizationUrl.href, 'petr', 'petr pw')
  const forged = new URL(back)
  forged.searchParams.set('state', 'x'.repeat(43))
  t.equal(errorOf(await callback(s.app, forged, started.browser)), 'sso_expired', 'unknown state')
  t.equal(errorOf(await s.app.inject({ url: '/api/auth/oidc/callback?code=abc' })), 'sso_expired', 'no state at all')

  // A callback link sent to someone else's browser (login CSRF) does not sign them in.
  const victim = await callback(s.app, back, 'veche_oidc=someone-else')
  t.equal(errorOf(victim), 'sso_expired')
  t.notOk(victim.cookies.find((c) => c.name === 'veche_session'))
  t.equal(await users(s.app), 0, 'nothing created')
})

t.test('an ID token with another nonce is refused and creates nothing', async (t) => {
  const s = await setup(t)
  const started = await start(s.app)
  const tampered = new URL(started.authorizationUrl)
  tampered.searchParams.set('nonce', 'attacker-chosen-nonce')
  const back = await s.provider.authorize(tampered.href, 'ivan', 'ivan pw')
  const res = await callback(s.app, back, started.browser)
  t.equal(errorOf(res), 'sso_failed')
  t.notOk(res.cookies.find((c) => c.name === 'veche_session'))
  t.equal(await users(s.app), 0)
})

t.test('a code issued to another client is refused by the token endpoint', async (t) => {
  const s = await setup(t)
  const started = await start(s.app)
  const tampered = new URL(started.authorizationUrl)
  tampered.searchParams.set('client_id', OTHER.clientId)
  const back = await s.provider.authorize(tampered.href, 'ivan', 'ivan pw')
  t.ok(back.searchParams.get('code'), 'the provider issued a code to the other client')
  t.equal(errorOf(await callback(s.app, back, started.browser)), 'sso_failed')
  t.equal(await users(s.app), 0)
})

t.test('an answer naming another issuer (mix-up) is refused', async (t) => {
  const s = await setup(t)
  const started = await start(s.app)
  const back = await s.provider.authorize(started.authorizationUrl.href, 'ivan', 'ivan pw')
  t.equal(back.searchParams.get('iss'), s.provider.issuer, 'the provider names itself (RFC 9207)')
  back.searchParams.set('iss', 'https://evil.example')
  t.equal(errorOf(await callback(s.app, back, started.browser)), 'sso_failed')
  t.equal(await users(s.app), 0)
})

t.test('a provider whose discovery names another issuer is not used', async (t) => {
  const provider = await startOidcProvider(t, { clients: [VECHE], accounts: accounts() })
  const app = await build(t, {
    license: SSO_LICENSE,
    set: [`oidc.issuer=${provider.issuer}/`, 'oidc.clientId=veche', `oidc.clientSecret=${VECHE.clientSecret}`, `oidc.caFile=${provider.caFile}`],
  })
  t.equal(errorOf(await app.inject({ url: '/api/auth/oidc/start' })), 'sso_unavailable')
})

t.test('the provider refusing or the user cancelling ends on the sign-in page', async (t) => {
  const s = await setup(t)
  const started = await start(s.app, '/r/standup')
  const back = await s.provider.authorize(started.authorizationUrl.href, 'ivan', '', { cancel: true })
  t.equal(back.searchParams.get('error'), 'access_denied')
  const res = await callback(s.app, back, started.browser)
  t.equal(res.headers.location, '/signin?error=sso_denied&next=%2Fr%2Fstandup', 'keeps where the user was going')
  t.equal(await users(s.app), 0)
})

t.test('a provider that is down gives a clear error', async (t) => {
  const s = await setup(t)
  const started = await start(s.app)
  const back = await s.provider.authorize(started.authorizationUrl.href, 'ivan', 'ivan pw')
  await s.provider.close()
  t.equal(errorOf(await callback(s.app, back, started.browser)), 'sso_unavailable', 'down between start and answer')
  t.equal(await users(s.app), 0)

  const down = await build(t, {
    license: SSO_LICENSE,
    set: [`oidc.issuer=${s.provider.issuer}`, 'oidc.clientId=veche', 'oidc.clientSecret=x', `oidc.caFile=${s.provider.caFile}`],
  })
  t.equal(errorOf(await down.inject({ url: '/api/auth/oidc/start' })), 'sso_unavailable', 'down from the start')
})

t.test('a provider with a certificate from an untrusted CA is not used', async (t) => {
  const s = await setup(t, { set: ['oidc.caFile='] })
  t.equal(errorOf(await s.app.inject({ url: '/api/auth/oidc/start' })), 'sso_unavailable')
})

t.test('without sso in the license, corporate sign-in is refused', async (t) => {
  const s = await setup(t, { license: {} })
  const res = await s.app.inject({ url: '/api/auth/oidc/start' })
  t.equal(errorOf(res), 'feature_unlicensed')
  t.equal(s.provider.accounts.size, 4)
  const unlicensed = await setup(t, { license: false })
  t.equal(errorOf(await unlicensed.app.inject({ url: '/api/auth/oidc/start' })), 'license_required')
})

t.test('a blocked user is refused', async (t) => {
  const s = await setup(t)
  await signIn(s, 'petr')
  const petr = (await s.app.usersRepository.findExternal('oidc', `${s.provider.issuer}|petr`))!
  await s.app.usersRepository.setBlocked(petr.id, true)
  const res = await signIn(s, 'petr')
  t.equal(errorOf(res), 'sso_blocked')
  t.notOk(res.cookies.find((c) => c.name === 'veche_session'))
})

t.test('an e-mail that a local account has is never linked; the local owner signs in with a password', async (t) => {
  const s = await setup(t)
  await createOwner(s.app)
  const res = await signIn(s, 'owner')
  t.equal(errorOf(res), 'sso_email_taken')
  t.equal(await users(s.app), 1, 'nothing created')
  t.notOk(res.cookies.find((c) => c.name === 'veche_session'))
  const local = await s.app.inject({ method: 'POST', url: '/api/auth/signin', payload: { email: OWNER.email, password: OWNER.password } })
  t.equal(local.statusCode, 200)
  t.equal(local.json().user.authSource, 'local')
})

t.test('the license user limit applies to first sign-ins', async (t) => {
  const s = await setup(t, { license: { ...SSO_LICENSE, limits: { rooms: 2, participantsPerRoom: 5, internalUsers: 1 } } })
  await createOwner(s.app)
  t.equal(errorOf(await signIn(s, 'petr')), 'user_limit')
  t.equal(await users(s.app), 1)
})

t.test('requiredValues keep out users without one of them', async (t) => {
  const s = await setup(t, { set: ['oidc.requiredValues=veche-users'] })
  t.equal(errorOf(await signIn(s, 'petr')), 'sso_not_allowed', 'staff only')
  t.equal(await users(s.app), 0)
  t.equal((await signIn(s, 'ivan')).statusCode, 302)
  t.equal(errorOf(await signIn(s, 'ivan')), null, 'an admin value is enough')
})

t.test('roles stay Veche\'s when no owner or admin values are set', async (t) => {
  const s = await setup(t, { set: ['oidc.ownerValues=', 'oidc.adminValues='] })
  await signIn(s, 'olga')
  const olga = (await s.app.usersRepository.findExternal('oidc', `${s.provider.issuer}|olga`))!
  t.equal(olga.role, 'member')
  await s.app.usersRepository.setRole(olga.id, 'admin')
  await signIn(s, 'olga')
  t.equal((await s.app.usersRepository.get(olga.id))!.role, 'admin', 'a role given in Veche is kept')
})

t.test('next must be a path on this site', async (t) => {
  const s = await setup(t)
  for (const next of ['//evil.example/x', 'https://evil.example', '/\\evil.example']) {
    const res = await signIn(s, 'petr', next)
    t.equal(res.headers.location, '/rooms', next)
  }
})

t.test('client_secret_post when the provider offers only that', async (t) => {
  const provider = await startOidcProvider(t, { clients: [VECHE], accounts: accounts(), authMethods: ['client_secret_post'] })
  const app = await build(t, {
    license: SSO_LICENSE,
    set: [
      'server.publicUrl=https://meet.corp.example',
      `oidc.issuer=${provider.issuer}`,
      'oidc.clientId=veche',
      `oidc.clientSecret=${VECHE.clientSecret}`,
      `oidc.caFile=${provider.caFile}`,
    ],
  })
  const res = await signIn({ app, provider }, 'ivan')
  t.equal(res.statusCode, 302)
  t.equal(res.headers.location, '/rooms')
})

t.test('a wrong client secret is refused by the provider', async (t) => {
  const s = await setup(t, { set: ['oidc.clientSecret=wrong'] })
  t.equal(errorOf(await signIn(s, 'ivan')), 'sso_failed')
  t.equal(await users(s.app), 0)
})

t.test('without an oidc section the routes send back to the sign-in page', async (t) => {
  const off = await build(t)
  t.equal(errorOf(await off.inject({ url: '/api/auth/oidc/start' })), 'sso_off')
  t.equal(errorOf(await off.inject({ url: '/api/auth/oidc/callback?state=a&code=b' })), 'sso_off')
})
