import t from 'tap'
import { verifyToken } from '../../../license-keys/verify.ts'
import { endOfDay } from '../../../license-keys/vendor/dates.ts'
import { issueLicense, issueUpdatePackage, type LicenseSpec } from '../../../license-keys/vendor/issue.ts'
import { activationKey, licenseKey, SPEC, testKeyring } from '../../fixtures/vendor-keys.ts'

const now = Math.floor(Date.now() / 1000)
const badSpec = (message: RegExp) => ({ name: 'VendorError', code: 'bad_spec', message })
const issue = (changes: Partial<LicenseSpec>) => issueLicense({ ...SPEC, ...changes }, licenseKey(), { now })

t.test('a subscription ends when the vendor says; updates follow it; the license verifies', async (t) => {
  const termEnd = endOfDay('2099-11-30', '--until')
  t.equal(new Date(termEnd * 1000).toISOString(), '2099-12-01T00:00:00.000Z', '--until names the last day covered (UTC)')
  const { token, claims } = await issue({ term: 'subscription', termEnd, activations: 3, features: ['sso', 'sip', 'sso'] })
  t.equal(claims.termEnd, termEnd)
  t.equal(claims.updatesUntil, termEnd, 'updates for as long as the subscription runs')
  t.equal(claims.activations, 3)
  t.same(claims.features, ['sso', 'sip'], 'duplicates dropped')
  t.same(await verifyToken('license', token, testKeyring()), claims)
})

t.test('specs the appliance could not honour are refused with what to correct', async (t) => {
  await t.rejects(issue({ limits: { ...SPEC.limits, participantsPerRoom: 1 } }), badSpec(/participants per room must be a whole number of at least 2/))
  await t.rejects(issue({ limits: { ...SPEC.limits, rooms: 2.5 } }), badSpec(/rooms must be a whole number/))
  await t.rejects(issue({ term: 'subscription' }), badSpec(/subscription needs its end date: add --until/))
  await t.rejects(issue({ term: 'subscription', termEnd: now - 86_400 }), badSpec(/not in the future/))
  await t.rejects(issue({ termEnd: now + 86_400 }), badSpec(/perpetual license has no end date/))
  await t.rejects(issue({ updatesUntil: now - 1 }), badSpec(/check --updates-until/))
  await t.rejects(issue({ activations: 0 }), badSpec(/activations must be a whole number of at least 1/))
  await t.rejects(issue({ licensee: { name: '  ' } }), badSpec(/needs a name/))
  await t.rejects(issue({ features: ['telepathy' as 'sso'] }), badSpec(/unknown feature 'telepathy'/))
  t.throws(() => endOfDay('2027-02-30', '--until'), badSpec(/'2027-02-30' is not a date: write it as YYYY-MM-DD/))
  await t.rejects(issueLicense(SPEC, activationKey()), { code: 'key_purpose', message: /test-activation-1 is an activation signing key; license tokens need a license signing key/ })
  await t.rejects(
    issueUpdatePackage({ licenseId: 'lic_AAAAAAAAAAAA', updatesUntil: now - 1 }, licenseKey()),
    badSpec(/not in the future/),
  )
})
