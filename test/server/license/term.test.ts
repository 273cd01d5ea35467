// Subscriptions end, perpetual keys do not, clocks get turned back, renewed keys and update packages arrive.
import t from 'tap'
import { issueUpdatePackage } from '../../../license-keys/vendor/issue.ts'
import { installLicense } from '../../../server/services/license.ts'
import { build, createOwner } from '../../helper.ts'
import { issueTestLicense, licenseKey } from '../../license-helper.ts'

const DAY = 86_400
const start = Math.floor(Date.now() / 1000)

t.test('a subscription warns at 30, 7 and 1 days, then suspends meetings but keeps admin access', async (t) => {
  let now = start
  const app = await build(t, { license: { term: 'subscription', termEnd: start + 60 * DAY }, licenseOverrides: { clock: () => now } })
  const owner = await createOwner(app)
  t.same((await app.license.refresh()).warnings, [])
  for (const [daysLeft, expect] of [[30, 30], [20, 30], [7, 7], [1, 1]] as const) {
    now = start + (60 - daysLeft) * DAY
    const s = await app.license.refresh()
    t.equal(s.status, 'active')
    t.equal(s.warnings[0]?.daysLeft, daysLeft, `${daysLeft} days left`)
    t.match(s.warnings[0]?.message, new RegExp(`\\(${daysLeft} days? left\\)`), `warned at the ${expect}-day mark`)
  }
  now = start + 60 * DAY + 1
  const ended = await app.license.refresh()
  t.equal(ended.status, 'suspended')
  t.equal(ended.problem?.code, 'expired')
  t.match(ended.problem?.message, /install a renewed key with `veche license install <file>`/)
  const room = await app.inject({ method: 'POST', url: '/api/rooms', headers: { cookie: owner }, payload: { title: 'x' } })
  t.equal(room.statusCode, 403, 'no new meetings')
  t.equal((await app.inject({ url: '/api/users', headers: { cookie: owner } })).statusCode, 200, 'admin access stays')

  // The renewed key for the same license: no re-activation needed.
  const installed = app.license.state.claims!
  const renewed = await issueTestLicense({ id: installed.sub, term: 'subscription', termEnd: now + 365 * DAY }, now)
  const res = await app.inject({ method: 'POST', url: '/api/license/renew', headers: { cookie: owner }, payload: { key: renewed.token } })
  t.equal(res.statusCode, 200, res.body)
  t.equal(res.json().status, 'active')
  const other = await issueTestLicense({}, now)
  const wrong = await app.inject({ method: 'POST', url: '/api/license/renew', headers: { cookie: owner }, payload: { key: other.token } })
  t.equal(wrong.statusCode, 400)
  t.match(wrong.json().error.message, /activated license is lic_/)
  t.equal(app.license.state.claims!.termEnd, now + 365 * DAY, 'the refused key changed nothing')
})

t.test('a perpetual key never expires', async (t) => {
  let now = start
  const app = await build(t, { licenseOverrides: { clock: () => now } })
  now = start + 20 * 365 * DAY
  const s = await app.license.refresh()
  t.equal(s.status, 'active')
  t.same(s.warnings, [])
})

t.test('a clock turned back suspends meetings with a message, until the time is right again', async (t) => {
  let now = start
  const app = await build(t, { licenseOverrides: { clock: () => now } })
  now = start + 3 * DAY
  await app.license.refresh()
  now = start + DAY
  const s = await app.license.refresh()
  t.equal(s.status, 'suspended')
  t.equal(s.problem?.code, 'clock_rollback')
  t.match(s.problem?.message, /the clock reads .*, but this server already saw .*: the clock was turned back\. Set the correct time/)
  now = start + 3 * DAY + 60
  t.equal((await app.license.refresh()).status, 'active', 'fixed once the clock is right')
})

t.test('update-package licenses extend updates-until; the latest valid one counts', async (t) => {
  const app = await build(t)
  const claims = app.license.state.claims!
  t.equal(app.license.state.updatesUntil, claims.updatesUntil)
  const later = claims.updatesUntil + 365 * DAY
  const pkg = await issueUpdatePackage({ licenseId: claims.sub, updatesUntil: later }, licenseKey())
  t.equal((await installLicense(app, { kind: 'updatePackage', token: pkg.token })).updatesUntil, later)
  const shorter = await issueUpdatePackage({ licenseId: claims.sub, updatesUntil: claims.updatesUntil + DAY }, licenseKey())
  t.equal((await installLicense(app, { kind: 'updatePackage', token: shorter.token })).updatesUntil, later, 'an earlier package does not shorten it')
  const foreign = await issueUpdatePackage({ licenseId: 'lic_someoneelse123', updatesUntil: later + DAY }, licenseKey())
  await t.rejects(installLicense(app, { kind: 'updatePackage', token: foreign.token }), { code: 'wrong_license' })
  t.equal(app.license.state.updatesUntil, later)
})
