// Failed sign-ins slow down, then lock; an owner is locked only where the guessing comes from.
import t from 'tap'
import { SignInGuard } from '../../../server/auth/sign-in-guard.ts'
import { createUsersRepository } from '../../../server/db/users-repository.ts'
import { eachEngine } from '../../engines.ts'
import { build, createMember, createOwner, OWNER } from '../../helper.ts'

const MEMBER = { email: 'ivan@corp.example', password: 'member password 1' }
const GENEROUS_BUDGET = 'limits.perAddressPerMinute=100000'

eachEngine(t, 'the guard slows failures down, locks after enough, and the lock passes with time', async (t, layer) => {
  const users = createUsersRepository(layer)
  const member = await users.create({ email: 'a@corp.example', displayName: 'A', role: 'member', passwordHash: 'x' })
  let now = 1_000_000
  const guard = new SignInGuard(users, { slowdownAfter: 3, lockAfter: 5, lockMinutes: 15, addressFailures: 100, now: () => now })
  const record = () => users.signInRecord(member.id)
  const delays = []
  for (let i = 0; i < 4; i++) delays.push(await guard.failed(await record(), '10.0.0.1'))
  t.same(delays, [0, 0, 250, 500], 'no delay for the first two failures, then doubling')
  t.equal(guard.refusal(await record(), '10.0.0.1'), null, 'four failures do not lock')
  await guard.failed(await record(), '10.0.0.1')
  const locked = guard.refusal(await record(), '10.0.0.9')
  t.equal(locked?.code, 'account_locked', 'the fifth failure locks the account from every address')
  t.equal(locked?.retryAfterSeconds, 15 * 60)
  t.match(locked?.message, /locked for 15 min; an administrator can unlock it sooner/)
  now += 15 * 60_000 + 1
  t.equal(guard.refusal(await record(), '10.0.0.1'), null, 'the lock passes after 15 minutes')
  t.equal((await record())?.failedSignIns, 0, 'and counting starts over')
  await guard.failed(await record(), '10.0.0.1')
  await guard.succeeded(member.id, '10.0.0.1')
  t.equal((await record())?.failedSignIns, 0, 'a success clears the failures')
})

t.test('a member is locked after ten wrong passwords, even with the right one', async (t) => {
  const app = await build(t, { set: [GENEROUS_BUDGET, 'limits.signInSlowdownAfter=100'] })
  const owner = await createOwner(app)
  await createMember(app, owner, MEMBER.email, 'Иван')
  const signIn = (password: string, remoteAddress = '10.0.0.1') =>
    app.inject({ method: 'POST', url: '/api/auth/signin', remoteAddress, payload: { email: MEMBER.email, password } })
  for (let i = 0; i < 10; i++) t.equal((await signIn(`wrong ${i}`)).statusCode, 401)
  const refused = await signIn(MEMBER.password, '10.0.0.2')
  t.equal(refused.statusCode, 429)
  t.equal(refused.json().error.code, 'account_locked')
  t.equal(refused.headers['retry-after'], String(15 * 60))
  t.equal((await app.usersRepository.findForSignIn(MEMBER.email))?.lockedUntil !== null, true, 'the lock is stored, so a restart keeps it')
  await app.usersRepository.clearFailedSignIns((await app.usersRepository.findForSignIn(MEMBER.email))!.user.id) // what `veche admin unlock` does
  t.equal((await signIn(MEMBER.password)).statusCode, 200, 'unlocked, the right password works')
})

t.test("guessing at the owner's password locks only the guesser's address", async (t) => {
  const app = await build(t, { set: [GENEROUS_BUDGET, 'limits.signInSlowdownAfter=100'] })
  await createOwner(app)
  const signIn = (password: string, remoteAddress: string) =>
    app.inject({ method: 'POST', url: '/api/auth/signin', remoteAddress, payload: { email: OWNER.email, password } })
  for (let i = 0; i < 10; i++) t.equal((await signIn(`wrong ${i}`, '203.0.113.7')).statusCode, 401)
  const attacker = await signIn(OWNER.password, '203.0.113.7')
  t.equal(attacker.statusCode, 429, 'the guessing address is locked out of the owner account')
  t.equal(attacker.json().error.code, 'account_locked')
  t.equal((await signIn(OWNER.password, '10.0.0.5')).statusCode, 200, 'the owner still signs in from their own machine')
})

t.test('an address that fails too often is refused whatever account it tries', async (t) => {
  const app = await build(t, { set: [GENEROUS_BUDGET, 'limits.signInSlowdownAfter=100', 'limits.signInFailuresPerAddress=5'] })
  const owner = await createOwner(app)
  await createMember(app, owner, MEMBER.email, 'Иван')
  for (let i = 0; i < 5; i++) {
    const res = await app.inject({ method: 'POST', url: '/api/auth/signin', remoteAddress: '198.51.100.1', payload: { email: `user${i}@corp.example`, password: 'guess guess' } })
    t.equal(res.statusCode, 401)
  }
  const refused = await app.inject({ method: 'POST', url: '/api/auth/signin', remoteAddress: '198.51.100.1', payload: MEMBER })
  t.equal(refused.statusCode, 429)
  t.equal(refused.json().error.code, 'too_many_failures')
  t.ok(Number(refused.headers['retry-after']) > 0)
  const elsewhere = await app.inject({ method: 'POST', url: '/api/auth/signin', remoteAddress: '198.51.100.2', payload: MEMBER })
  t.equal(elsewhere.statusCode, 200, 'the member signs in from another address')
  t.equal((await app.usersRepository.findForSignIn(MEMBER.email))?.failedSignIns, 0, "unknown accounts' failures did not touch the member")
})

t.test('a blocked user is told so only with the right password', async (t) => {
  const app = await build(t, { set: [GENEROUS_BUDGET] })
  const owner = await createOwner(app)
  await createMember(app, owner, MEMBER.email, 'Иван')
  await app.usersRepository.setBlocked((await app.usersRepository.findForSignIn(MEMBER.email))!.user.id, true)
  const wrong = await app.inject({ method: 'POST', url: '/api/auth/signin', payload: { ...MEMBER, password: 'not the password' } })
  t.equal(wrong.statusCode, 401, 'a guesser learns nothing')
  const right = await app.inject({ method: 'POST', url: '/api/auth/signin', payload: MEMBER })
  t.equal(right.statusCode, 403)
  t.same(right.json().error, { code: 'blocked', message: 'your account is blocked; ask an administrator' })
  t.notOk(right.cookies.some((c) => c.name === 'veche_session'), 'no session is started')
})
