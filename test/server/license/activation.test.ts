// The appliance's license lifecycle against the vendor's real activation service on loopback.
import t, { type Test } from 'tap'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPairSync, createHmac } from 'node:crypto'
import { CompactSign } from 'jose'
import { readFingerprint } from '../../../license-keys/fingerprint.ts'
import { createLicenseRepository } from '../../../server/db/license-repository.ts'
import { installLicense, type LicenseServiceDeps } from '../../../server/services/license.ts'
import { build, createOwner, tempDir, testConfig } from '../../helper.ts'
import { buildApp } from '../../../server/app.ts'
import { pino } from 'pino'
import { startActivationService } from '../../activation-service.ts'
import { certify, issueTestLicense } from '../../license-helper.ts'

/** installCertificate completes the pending offline activation, as `veche activate --certificate` does. */
const installCertificate = (app: LicenseServiceDeps, certificate: string) => installLicense(app, { kind: 'certificate', certificate })

async function unlicensedApp(t: Test, vendorUrl: string, extra: string[] = []) {
  return build(t, { license: false, set: [`license.activationUrl=${vendorUrl}`, ...extra] })
}

t.test('without a license the server is in setup mode: owner signs in, no meetings', async (t) => {
  const app = await build(t, { license: false })
  const owner = await createOwner(app)
  const license = (await app.inject({ url: '/api/license', headers: { cookie: owner } })).json()
  t.equal(license.status, 'unlicensed')
  t.match(license.problem.message, /veche activate/)
  const room = await app.inject({ method: 'POST', url: '/api/rooms', headers: { cookie: owner }, payload: { title: 'x' } })
  t.equal(room.statusCode, 403)
  t.equal(room.json().error.code, 'license_required')
  const user = await app.inject({
    method: 'POST',
    url: '/api/users',
    headers: { cookie: owner },
    payload: { email: 'a@corp.example', displayName: 'A', password: 'long enough 1', role: 'member' },
  })
  t.equal(user.statusCode, 403)
  t.equal(user.json().error.code, 'license_required')
})

t.test('issue -> activate -> restart with the vendor unreachable -> still licensed', async (t) => {
  const vendor = await startActivationService(t)
  const dataDir = tempDir(t)
  const config = testConfig(dataDir, [`license.activationUrl=${vendor.url}`])
  const first = await buildApp({ config, dataDir, logger: pino({ level: 'silent' }) })
  const owner = await createOwner(first)
  const { token, claims } = await issueTestLicense({ limits: { rooms: 2, participantsPerRoom: 3, internalUsers: 5 } })

  const res = await first.inject({ method: 'POST', url: '/api/license/activate', headers: { cookie: owner }, payload: { key: token } })
  t.equal(res.statusCode, 200, res.body)
  const view = res.json()
  t.equal(view.status, 'active')
  t.equal(view.licenseId, claims.sub)
  t.same(view.limits, { rooms: 2, participantsPerRoom: 3, internalUsers: 5 })
  t.equal(view.licensee.name, 'ООО «Ромашка»')
  t.equal(view.activation.fingerprintOk, true)
  const again = await first.inject({ method: 'POST', url: '/api/license/activate', headers: { cookie: owner }, payload: { key: `\n  ${token.slice(0, 40)}\n${token.slice(40)}  ` } })
  t.equal(again.statusCode, 200, 're-activating on the same machine is safe (and a pasted, wrapped key works)')
  t.equal(again.json().activation.activationId, view.activation.activationId, 'the vendor counts one machine once')
  await first.close()

  await vendor.stop()
  const second = await buildApp({ config, dataDir, logger: pino({ level: 'silent' }) })
  t.teardown(() => second.close())
  t.equal(second.license.state.status, 'active', 'licensed after restart with no network')
  const room = await second.inject({ method: 'POST', url: '/api/rooms', headers: { cookie: owner }, payload: { title: 'Daily' } })
  t.equal(room.statusCode, 201)
})

t.test('network trouble during activation says what to do, and stores nothing', async (t) => {
  const app = await unlicensedApp(t, 'http://127.0.0.1:3')
  const { token } = await issueTestLicense()
  await t.rejects(installLicense(app, { kind: 'activate', key: token }), {
    code: 'network',
    message: /cannot reach the activation service at http:\/\/127\.0\.0\.1:3 \(ECONNREFUSED\): this server must reach the vendor only while activating/,
  })
  t.equal(app.license.state.status, 'unlicensed')
})

t.test('tampered and foreign keys are refused, each with its own message; nothing is stored', async (t) => {
  const vendor = await startActivationService(t)
  const app = await unlicensedApp(t, vendor.url)
  const repo = createLicenseRepository(app.dataLayer)
  const { token, claims } = await issueTestLicense()
  const [h, p, s] = token.split('.') as [string, string, string]
  const flip = (part: string, i: number) => part.slice(0, i) + (part[i] === 'A' ? 'B' : 'A') + part.slice(i + 1)
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')

  const otherKey = generateKeyPairSync('ed25519').privateKey
  const forged = await new CompactSign(Buffer.from(JSON.stringify({ ...claims, limits: { ...claims.limits, rooms: 1000 } })))
    .setProtectedHeader({ alg: 'EdDSA', kid: 'test-license-1', typ: 'veche-license+jwt' })
    .sign(otherKey)
  const hsHeader = b64({ alg: 'HS256', kid: 'test-license-1', typ: 'veche-license+jwt' })
  const publicX = JSON.parse(
    (await import('node:fs')).readFileSync(new URL('../../../license-keys/trusted-keys.json', import.meta.url), 'utf8'),
  ).keys.find((k: { kid: string }) => k.kid === 'test-license-1').jwk.x as string
  const hs256 = `${hsHeader}.${p}.${createHmac('sha256', Buffer.from(publicX, 'base64url')).update(`${hsHeader}.${p}`).digest('base64url')}`
  const foreignProduct = await issueTestLicense()
  const otherProductPayload = b64({ ...foreignProduct.claims, product: 'other-meet', edition: 'cloud' })
  const otherProduct = await new CompactSign(Buffer.from(Buffer.from(otherProductPayload, 'base64url')))
    .setProtectedHeader({ alg: 'EdDSA', kid: 'test-license-1', typ: 'veche-license+jwt' })
    .sign((await import('../../license-helper.ts')).licenseKey().privateKey)

  const cases: [string, string, string, RegExp][] = [
    ['one byte changed in the claims', `${h}.${flip(p, 30)}.${s}`, 'bad_signature', /signature .* does not match/],
    ['one byte changed in the signature', `${h}.${p}.${flip(s, 10)}`, 'bad_signature', /signature .* does not match/],
    ['signed by another Ed25519 key', forged, 'bad_signature', /not issued by the vendor/],
    ['alg none', `${b64({ alg: 'none', typ: 'veche-license+jwt', kid: 'test-license-1' })}.${p}.`, 'alg_not_allowed', /alg 'none'/],
    ['HS256 with the public key as secret', hs256, 'alg_not_allowed', /alg 'HS256'/],
    ['a key for another product', otherProduct, 'wrong_product', /other-meet cloud, not veche server/],
    ['garbage', 'hello', 'malformed', /this is not a license key/],
  ]
  for (const [name, key, code, message] of cases) {
    await t.rejects(installLicense(app, { kind: 'activate', key: key }), { code, message }, name)
    t.equal(await repo.get(), undefined, `${name}: nothing stored`)
  }
  t.equal(app.license.state.status, 'unlicensed', 'the server state is unchanged')
  const activations = (await import('../../../license-keys/vendor/activation-service/db.ts'))
  const vdb = activations.openVendorDatabase(vendor.dbFile)
  t.same(activations.createVendorStore(vdb).activations.list(), [], 'no refused key reached the vendor')
  vdb.close()
})

t.test('certificates: another machine, a replayed nonce, a cloned VM', async (t) => {
  const app = await build(t, { license: false })
  const { token, claims } = await issueTestLicense()
  const repo = createLicenseRepository(app.dataLayer)

  // Offline flow: the request remembers its nonce; only a certificate answering it is accepted.
  const request = await app.license.createOfflineRequest(token)
  const elsewhere = { ...request.fingerprint, machineId: 'f'.repeat(32), productUuid: 'e'.repeat(32), mac: 'd'.repeat(32) }
  await t.rejects(installCertificate(app, await certify(claims.sub, { fingerprint: elsewhere, nonce: request.nonce })), {
    code: 'fingerprint_mismatch',
    message: /for another machine/,
  })
  await t.rejects(installCertificate(app, await certify(claims.sub, { nonce: 'another-nonce-0123456789' })), {
    code: 'nonce_mismatch',
    message: /answers a different activation request/,
  })
  const other = await issueTestLicense()
  await t.rejects(installCertificate(app, await certify(other.claims.sub, { nonce: request.nonce })), { code: 'wrong_license' })
  t.equal(await repo.get(), undefined, 'nothing stored')

  const ok = await installCertificate(app, await certify(claims.sub, { nonce: request.nonce }))
  t.equal(ok.status, 'active')
  t.equal(await repo.pending(), undefined, 'the pending request is done')
})

t.test('the fingerprint survives a renamed host and a new NIC, not a cloned VM', async (t) => {
  const root = tempDir(t)
  const write = (path: string, text: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  write('etc/machine-id', '0123456789abcdef0123456789abcdef\n')
  write('sys/class/dmi/id/product_uuid', '4C4C4544-0042-3510-8052-B7C04F4A4B32\n')
  write('etc/hostname', 'meet01\n')
  write('sys/class/net/eth0/address', '52:54:00:12:34:56\n')
  write('sys/class/net/eth0/device/uevent', 'DRIVER=virtio_net\n')
  const app = await build(t, { license: false, licenseOverrides: { fingerprintRoot: root } })
  const { token, claims } = await issueTestLicense()
  const request = await app.license.createOfflineRequest(token)
  t.same(Object.keys(request.fingerprint).sort(), ['hostname', 'mac', 'machineId', 'productUuid'])
  t.same(request.fingerprint, readFingerprint({ root }))
  await installCertificate(app, await certify(claims.sub, { nonce: request.nonce, fingerprint: readFingerprint({ root }) }))
  t.equal(app.license.state.status, 'active')

  write('etc/hostname', 'meet-renamed\n')
  write('sys/class/net/eth0/address', '52:54:00:aa:bb:cc\n')
  t.equal((await app.license.refresh()).status, 'active', 'renamed host and new NIC: still licensed')

  write('etc/machine-id', 'ffffffffffffffffffffffffffffffff\n')
  write('sys/class/dmi/id/product_uuid', '00000000-0000-0000-0000-000000000000\n')
  write('etc/hostname', 'meet01\n')
  write('sys/class/net/eth0/address', '52:54:00:12:34:56\n')
  const cloned = await app.license.refresh()
  t.equal(cloned.status, 'invalid', 'a clone with a new machine-id and UUID does not pass')
  t.equal(cloned.problem?.code, 'fingerprint_mismatch')
  t.match(cloned.problem?.message, /activated on another machine \(changed here: machineId, productUuid\)/)
})

t.test('activations beyond the allowed count and revoked licenses are refused by the vendor', async (t) => {
  const vendor = await startActivationService(t)
  const { token, claims } = await issueTestLicense({ activations: 1 })
  const here = await unlicensedApp(t, vendor.url)
  t.equal((await installLicense(here, { kind: 'activate', key: token })).status, 'active')

  const root = tempDir(t)
  mkdirSync(join(root, 'etc'), { recursive: true })
  writeFileSync(join(root, 'etc/machine-id'), 'abababababababababababababababab\n')
  writeFileSync(join(root, 'etc/hostname'), 'other-server\n')
  const there = await build(t, { license: false, set: [`license.activationUrl=${vendor.url}`], licenseOverrides: { fingerprintRoot: root } })
  await t.rejects(installLicense(there, { kind: 'activate', key: token }), { code: 'activation_failed', message: /the vendor refused the activation: .*release/ })
  t.equal(await createLicenseRepository(there.dataLayer).get(), undefined, 'nothing stored on the second machine')

  vendor.revoke(claims.sub)
  await t.rejects(installLicense(here, { kind: 'activate', key: token }), { code: 'activation_failed', message: /revoked/ })
  t.equal(here.license.state.status, 'active', 'a refused re-activation leaves the working license alone')
})
