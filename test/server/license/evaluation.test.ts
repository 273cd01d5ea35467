// Evaluation keys count down with the staged warnings, then stop meetings naming how to buy a key;
// development licenses say what they are wherever the license is reported.
import t from 'tap'
import { issueLicense } from '../../../license-keys/vendor/issue.ts'
import { createSigningKey, loadSigningKey } from '../../../license-keys/vendor/signing-keys.ts'
import { verifyToken } from '../../../license-keys/verify.ts'
import { createKeyring } from '../../../license-keys/keyring.ts'
import { build, createOwner, tempDir } from '../../helper.ts'
import { licenseKey } from '../../license-helper.ts'

const DAY = 86_400
const start = Math.floor(Date.now() / 1000)

t.test('an evaluation warns at 30, 7 and 1 days left, then stops meetings naming how to buy', async (t) => {
  let now = start
  const app = await build(t, {
    license: { plan: 'Evaluation', term: 'subscription', termEnd: start + 30 * DAY, kind: 'evaluation' },
    licenseOverrides: { clock: () => now },
  })
  const owner = await createOwner(app)
  for (const daysLeft of [30, 12, 7, 1]) {
    now = start + (30 - daysLeft) * DAY
    const s = await app.license.refresh()
    t.equal(s.status, 'active')
    t.same(s.warnings.map((w) => [w.code, w.daysLeft]), [['evaluation_ending', daysLeft]], `${daysLeft} days left`)
    t.match(s.warnings[0]!.message, /: buy a license key \(https:\/\/veche\.example\/buy\) and activate it with `veche activate <key>`/)
  }
  const page = (await app.inject({ url: '/api/license', headers: { cookie: owner } })).json()
  t.equal(page.kind, 'evaluation', 'the License page knows it is an evaluation')

  now = start + 30 * DAY + 1
  const ended = await app.license.refresh()
  t.equal(ended.status, 'suspended')
  t.equal(ended.problem?.code, 'evaluation_ended')
  t.match(ended.problem?.message, /^the evaluation ended on \d{4}-\d\d-\d\d: buy a license key \(https:\/\/veche\.example\/buy\)/)
  const room = await app.inject({ method: 'POST', url: '/api/rooms', headers: { cookie: owner }, payload: { title: 'x' } })
  t.equal(room.statusCode, 403, 'no new meetings')
  t.match(room.json().error.message, /buy a license key/)
  const ready = (await app.inject({ url: '/readyz' })).json()
  t.same(ready.failing, ['license'])
})

t.test('a development license is reported as one, and is refused under a real (non-test) key', async (t) => {
  const app = await build(t, { license: { plan: 'Development', kind: 'development' } })
  const ready = await app.inject({ url: '/readyz' })
  t.equal(ready.statusCode, 200, 'meetings work')
  t.match(ready.json().checks.license, { ok: true, kind: 'development', message: /development license .*: not for production/ })
  t.same((await app.inject({ url: '/api/license/kind' })).json(), { kind: 'development' }, 'anyone may ask (the banner is on every page)')
  const metrics = (await app.inject({ url: '/metrics', remoteAddress: '127.0.0.1' })).body
  t.match(metrics, /^veche_license_kind\{kind="development"\} 1$/m)
  t.match(metrics, /^veche_license_kind\{kind="commercial"\} 0$/m)

  // The vendor's real key signing a "development" license: no appliance accepts it.
  const dir = tempDir(t)
  const { file, trusted } = createSigningKey('license', dir, { kid: 'license-real-1' })
  const real = loadSigningKey(file, 'license')
  const { token } = await issueLicense({ licensee: { name: 'X' }, plan: 'Dev', limits: { rooms: 1, participantsPerRoom: 2, internalUsers: 1 }, term: 'perpetual', kind: 'development' }, real)
  await t.rejects(verifyToken('license', token, createKeyring([trusted], { allowTestKeys: false })), {
    code: 'bad_claims',
    message: /a development license must be signed by a test key, not 'license-real-1'/,
  })
  const underTest = await issueLicense({ licensee: { name: 'X' }, plan: 'Dev', limits: { rooms: 1, participantsPerRoom: 2, internalUsers: 1 }, term: 'perpetual', kind: 'development' }, licenseKey())
  t.equal(underTest.claims.kind, 'development')
})
