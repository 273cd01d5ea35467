// Per-address and per-user budgets on a real app: 429 with Retry-After, nothing done, health not metered.
import t from 'tap'
import { build, createOwner } from '../../helper.ts'

t.test('an address over its budget gets 429 with Retry-After; other addresses and health probes are untouched', async (t) => {
  const app = await build(t, { set: ['limits.perAddressPerMinute=20', 'limits.perUserPerMinute=1000'] })
  const from = (remoteAddress: string) => ({ method: 'GET' as const, url: '/api/auth/me', remoteAddress })
  let statuses: number[] = []
  for (let i = 0; i < 20; i++) statuses.push((await app.inject(from('10.0.0.1'))).statusCode)
  t.same(new Set(statuses), new Set([401]), 'twenty requests are answered normally')
  const refused = await app.inject(from('10.0.0.1'))
  t.equal(refused.statusCode, 429)
  t.equal(refused.json().error.code, 'rate_limited')
  t.match(refused.json().error.message, /too many requests from this address; try again in \d+ s/)
  t.ok(Number(refused.headers['retry-after']) >= 1, `Retry-After: ${refused.headers['retry-after']}`)
  t.equal((await app.inject(from('10.0.0.2'))).statusCode, 401, 'another address is served')
  t.equal((await app.inject({ method: 'GET', url: '/healthz', remoteAddress: '10.0.0.1' })).statusCode, 200, 'health probes are not metered')
  statuses = []
  for (let i = 0; i < 3; i++) statuses.push((await app.inject({ method: 'GET', url: '/', remoteAddress: '10.0.0.1' })).statusCode)
  t.notOk(statuses.includes(429), 'the web client itself still loads')
})

t.test('sign-in costs more than an ordinary request', async (t) => {
  const app = await build(t, { set: ['limits.perAddressPerMinute=35'] })
  const signIn = () =>
    app.inject({ method: 'POST', url: '/api/auth/signin', remoteAddress: '10.0.0.3', payload: { email: 'nobody@corp.example', password: 'wrong password' } })
  t.equal((await signIn()).statusCode, 401)
  t.equal((await signIn()).statusCode, 401)
  t.equal((await signIn()).statusCode, 401)
  t.equal((await signIn()).statusCode, 429, 'the fourth sign-in within a minute is over a 35-point budget')
})

t.test('corporate sign-in, which the browser navigates to, is sent to the sign-in page when over budget', async (t) => {
  const app = await build(t, { set: ['limits.perAddressPerMinute=25'] })
  const start = () => app.inject({ method: 'GET', url: '/api/auth/oidc/start', remoteAddress: '10.0.0.4' })
  t.equal((await start()).headers.location, '/signin?error=sso_off', 'within budget: the route itself answers')
  await start()
  const refused = await start()
  t.equal(refused.statusCode, 303)
  t.equal(refused.headers.location, '/signin?error=rate_limited', 'a page that says to wait, not a bare JSON 429')
  t.ok(Number(refused.headers['retry-after']) > 0)
})

t.test('a signed-in user has a budget of their own, across addresses', async (t) => {
  const app = await build(t, { set: ['limits.perAddressPerMinute=1000', 'limits.perUserPerMinute=10'] })
  const cookie = await createOwner(app)
  const statuses: number[] = []
  for (let i = 0; i < 12; i++) {
    statuses.push((await app.inject({ method: 'GET', url: '/api/rooms', remoteAddress: `10.1.0.${i}`, headers: { cookie } })).statusCode)
  }
  t.same(statuses.slice(0, 10), Array(10).fill(200), 'ten requests pass')
  t.equal(statuses[10], 429, 'the eleventh is refused although it came from a new address')
  const refused = await app.inject({ method: 'GET', url: '/api/rooms', remoteAddress: '10.1.0.99', headers: { cookie } })
  t.match(refused.json().error.message, /from your account/)
})
