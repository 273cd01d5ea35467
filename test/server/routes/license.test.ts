// The License page's paste box: what an owner pastes (often the whole e-mail) goes to the server as is.
import t from 'tap'
import { CompactSign } from 'jose'
import { armor } from '../../../license-keys/armor.ts'
import { TokenTypes } from '../../../license-keys/claims.ts'
import { createVendorStore, openVendorDatabase } from '../../../license-keys/vendor/activation-service/db.ts'
import { createLicenseRepository } from '../../../server/db/license-repository.ts'
import { startActivationService } from '../../activation-service.ts'
import { build, createOwner } from '../../helper.ts'
import { issueTestLicense, licenseKey } from '../../license-helper.ts'

t.test('a key pasted with its e-mail activates; two keys or a key nobody could paste are refused, nothing stored', async (t) => {
  const vendor = await startActivationService(t)
  const app = await build(t, { license: false, set: [`license.activationUrl=${vendor.url}`] })
  const owner = await createOwner(app)
  const repo = createLicenseRepository(app.dataLayer)
  const activate = (key: string) => app.inject({ method: 'POST', url: '/api/license/activate', headers: { cookie: owner }, payload: { key } })
  const { token, claims } = await issueTestLicense()
  const letter = (body: string) => `> Hello,\n>\n> your Veche license key:\n>\n${body.replace(/^/gm, '> ')}\n> Regards, the vendor\n`

  const two = await activate(letter(`${armor('license', token)}${armor('license', (await issueTestLicense()).token)}`))
  t.equal(two.statusCode, 400)
  t.match(two.json().error, { code: 'several_tokens', message: /^the text holds 2 different keys .* paste only a license key$/ })
  const oversized = await activate(`${letter(armor('license', token))}${' '.repeat(70_000)}`)
  t.ok([400, 413].includes(oversized.statusCode), `more than 64 KiB is refused before anything is read (${oversized.statusCode})`)
  const padded = await new CompactSign(new TextEncoder().encode(JSON.stringify({ ...claims, padding: 'x'.repeat(20_000) })))
    .setProtectedHeader({ alg: 'EdDSA', kid: 'test-license-1', typ: TokenTypes.license })
    .sign(licenseKey().privateKey)
  const large = await activate(letter(armor('license', padded)))
  t.equal(large.statusCode, 400)
  t.match(large.json().error, { code: 'too_large', message: /^a license key is at most 8 KiB; this one is 26\.\d KiB/ })
  t.equal((await repo.get()), undefined, 'nothing stored')
  const vdb = openVendorDatabase(vendor.dbFile)
  t.teardown(() => vdb.close())
  t.same(createVendorStore(vdb).activations.list(), [], 'nothing reached the vendor')

  const res = await activate(letter(armor('license', token)))
  t.equal(res.statusCode, 200, res.body)
  t.equal(res.json().status, 'active')
  t.equal((await repo.get())?.licenseKey, token, 'the bare key is stored, not the letter')
  t.equal(createVendorStore(vdb).activations.list(claims.sub).length, 1)
})
