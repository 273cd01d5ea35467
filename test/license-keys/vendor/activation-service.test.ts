import t, { type Test } from 'tap'
import Database from 'better-sqlite3'
import { join } from 'node:path'
import type { ActivationRequest } from '../../../license-keys/claims.ts'
import { verifyToken } from '../../../license-keys/verify.ts'
import { buildActivationService } from '../../../license-keys/vendor/activation-service/app.ts'
import { createVendorStore, openVendorDatabase } from '../../../license-keys/vendor/activation-service/db.ts'
import { listMigrations, schemaVersion } from '../../../license-keys/vendor/activation-service/migrations.ts'
import { issueLicense } from '../../../license-keys/vendor/issue.ts'
import { createSigningKey, loadSigningKey } from '../../../license-keys/vendor/signing-keys.ts'
import { tempDir } from '../../helper.ts'
import { activationKey, activationRequest, licenseKey, machine, SPEC, testKeyring } from '../../fixtures/vendor-keys.ts'

const keyring = testKeyring()

/** start runs the real service on a loopback port with a fresh database; `store` reads that database. */
async function start(t: Test) {
  const dbFile = join(tempDir(t, 'veche-vendor-'), 'vendor.db')
  const app = buildActivationService({ dbFile, keyring, activationKey: activationKey() })
  t.teardown(() => app.close())
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  const db = openVendorDatabase(dbFile)
  t.teardown(() => db.close())
  const activate = async (body: ActivationRequest | string) => {
    const res = await fetch(`${url}/v1/activations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
    return { status: res.status, body: (await res.json()) as { certificate?: string; error?: { code: string; message: string } } }
  }
  return { url, activate, store: createVendorStore(db) }
}

t.test('a machine activates, and activating it again reuses its slot with a fresh certificate', async (t) => {
  const { url, activate, store } = await start(t)
  t.same(await (await fetch(`${url}/healthz`)).json(), { ok: true })
  const { token, claims: license } = await issueLicense(SPEC, licenseKey())

  const first = activationRequest(token, 'meet-a')
  const res = await activate(first)
  t.equal(res.status, 200, JSON.stringify(res.body))
  const cert = await verifyToken('activation', res.body.certificate!, keyring)
  t.equal(cert.sub, license.sub)
  t.match(cert.activationId, /^act_[A-Za-z0-9_-]{16}$/)
  t.equal(cert.nonce, first.nonce)
  t.same(cert.fingerprint, first.fingerprint)

  // The same machine after a new network card and a rename: same machine-id, so the same activation.
  const again = activationRequest(token, 'meet-a', { ...machine('meet-a'), mac: 'f'.repeat(32), hostname: 'e'.repeat(32) })
  again.hostname = 'meet-renamed.corp.example'
  const res2 = await activate(again)
  t.equal(res2.status, 200, JSON.stringify(res2.body))
  const cert2 = await verifyToken('activation', res2.body.certificate!, keyring)
  t.equal(cert2.activationId, cert.activationId, 'one machine counts once')
  t.equal(cert2.nonce, again.nonce, 'the new request is answered, not the old one')
  t.same(cert2.fingerprint, again.fingerprint)
  t.equal(cert2.activatedAt, cert.activatedAt)
  const rows = store.activations.list(license.sub)
  t.equal(rows.length, 1)
  t.equal(rows[0]!.hostname, 'meet-renamed.corp.example')
  t.same(rows[0]!.fingerprint, again.fingerprint, 'the vendor keeps the current fingerprint')
  t.equal(store.licenses.get(license.sub)?.recordedBy, 'activation', 'a key issued elsewhere is recorded when first seen')
})

t.test('a second machine beyond the allowed count is refused until the vendor releases the first', async (t) => {
  const { activate, store } = await start(t)
  const { token, claims } = await issueLicense(SPEC, licenseKey())
  const a = await activate(activationRequest(token, 'meet-a'))
  t.equal(a.status, 200)

  const b = await activate(activationRequest(token, 'meet-b'))
  t.equal(b.status, 409)
  t.equal(b.body.error?.code, 'activation_limit')
  const held = store.activations.listActive(claims.sub)
  t.match(b.body.error?.message, `license ${claims.sub} allows 1 machine(s) and 1 already hold it (${held[0]!.id} on host 'meet-a.corp.example'`)
  t.match(b.body.error?.message, /ask the vendor to release an activation \(veche-vendor activation release <activationId>\)/)
  t.equal(store.activations.list(claims.sub).length, 1, 'nothing recorded for the refused machine')

  t.ok(store.activations.release(held[0]!.id, Math.floor(Date.now() / 1000)))
  const b2 = await activate(activationRequest(token, 'meet-b'))
  t.equal(b2.status, 200, JSON.stringify(b2.body))
  t.not((await verifyToken('activation', b2.body.certificate!, keyring)).activationId, held[0]!.id)

  // The old machine now counts as new: its slot went to meet-b.
  t.equal((await activate(activationRequest(token, 'meet-a'))).body.error?.code, 'activation_limit')

  const two = await issueLicense({ ...SPEC, activations: 2 }, licenseKey())
  t.equal((await activate(activationRequest(two.token, 'meet-a'))).status, 200)
  t.equal((await activate(activationRequest(two.token, 'meet-b'))).status, 200, 'two allowed, two machines')
})

t.test('revoked licenses, foreign keys and bad requests are refused with their codes', async (t) => {
  const { activate, store } = await start(t)
  const { token, claims } = await issueLicense(SPEC, licenseKey())
  t.equal((await activate(activationRequest(token, 'meet-a'))).status, 200)
  store.licenses.revoke(claims.sub, Date.UTC(2026, 10, 20) / 1000)
  const revoked = await activate(activationRequest(token, 'meet-a'))
  t.equal(revoked.status, 403)
  t.same(revoked.body.error, { code: 'revoked', message: `license ${claims.sub} was revoked on 2026-11-20: contact the vendor` })

  // A subscription through 2025-06-30, issued a year before.
  const termEnd = Date.UTC(2025, 6, 1) / 1000
  const lapsed = await issueLicense({ ...SPEC, term: 'subscription', termEnd }, licenseKey(), { now: termEnd - 365 * 86_400 })
  const expired = await activate(activationRequest(lapsed.token, 'meet-a'))
  t.equal(expired.status, 400)
  t.same(expired.body.error, {
    code: 'invalid_license',
    message: `license ${lapsed.claims.sub} expired on 2025-06-30: install the renewed key from the vendor`,
  })

  const stranger = loadSigningKey(createSigningKey('license', tempDir(t)).file, 'license')
  const foreign = await issueLicense(SPEC, stranger)
  const res = await activate(activationRequest(foreign.token, 'meet-a'))
  t.equal(res.status, 400)
  t.equal(res.body.error?.code, 'invalid_license')
  t.match(res.body.error?.message, /signed by key id 'license-\d{4}-\d{2}-[0-9a-f]{6}', which this Veche release does not know/)
  t.equal(store.licenses.get(foreign.claims.sub), undefined, 'an untrusted key leaves no trace')

  const good = await issueLicense(SPEC, licenseKey())
  const cases: [string, string | Record<string, unknown>, RegExp][] = [
    ['not JSON', '{"licenseKey":', /JSON/],
    ['empty object', {}, /not an activation request/],
    ['unknown field', { ...activationRequest(good.token, 'x'), admin: true }, /not an activation request/],
    ['short nonce', { ...activationRequest(good.token, 'x'), nonce: 'abc' }, /\/nonce/],
    ['no machine identity', activationRequest(good.token, 'x', { mac: 'a'.repeat(32) }), /neither machineId nor productUuid/],
    [
      'a fingerprint of 200 components',
      activationRequest(good.token, 'x', { ...machine('x'), ...Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`c${i}`.replace(/\d/g, (d) => 'abcdefghij'[Number(d)]!), 'f'])) }),
      /^not an activation request: \/fingerprint /,
    ],
    ['a fingerprint component named with a path', activationRequest(good.token, 'x', { ...machine('x'), '../../etc': 'f' }), /^not an activation request: \/fingerprint/],
  ]
  for (const [name, body, message] of cases) {
    const r = await activate(typeof body === 'string' ? body : (body as ActivationRequest))
    t.equal(r.status, 400, name)
    t.equal(r.body.error?.code, 'bad_request', name)
    t.match(r.body.error?.message, message, name)
  }
  t.equal(store.activations.list(good.claims.sub).length, 0, 'no bad request was recorded')
})

t.test('the service refuses to start with an activation key the appliances do not trust', async (t) => {
  const dir = tempDir(t)
  const untrusted = loadSigningKey(createSigningKey('activation', dir).file, 'activation')
  t.throws(() => buildActivationService({ dbFile: join(dir, 'v.db'), keyring, activationKey: untrusted }), {
    code: 'key_untrusted',
    message: /is not a trusted activation key in license-keys\/trusted-keys\.json/,
  })
})

t.test('the vendor database is migrated once and refused when a newer release wrote it', async (t) => {
  const file = join(tempDir(t), 'vendor.db')
  const db = openVendorDatabase(file)
  t.equal(schemaVersion(db), listMigrations().at(-1)!.version)
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal')
  db.close()
  const raw = new Database(file)
  raw.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, ?, ?)').run('future', Date.now())
  raw.close()
  t.throws(() => openVendorDatabase(file), { code: 'schema_too_new', message: /schema version 999 is newer than this veche-vendor knows/ })
})
