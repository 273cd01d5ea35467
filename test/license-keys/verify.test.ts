import t, { type Test } from 'tap'
import { CompactSign } from 'jose'
import { createPublicKey, type KeyObject } from 'node:crypto'
import { APPLIANCE_AUDIENCE, TokenTypes, VENDOR_ISSUER } from '../../license-keys/claims.ts'
import { LicenseError } from '../../license-keys/errors.ts'
import { loadKeyring } from '../../license-keys/keyring.ts'
import { verifyToken } from '../../license-keys/verify.ts'
import { issueActivationCertificate, issueLicense, issueUpdatePackage } from '../../license-keys/vendor/issue.ts'
import { createSigningKey, loadSigningKey } from '../../license-keys/vendor/signing-keys.ts'
import { tempDir } from '../helper.ts'
import { activationKey, licenseKey, machine, SPEC, testKey, testKeyring } from '../fixtures/vendor-keys.ts'

const keyring = testKeyring()
const now = () => Math.floor(Date.now() / 1000)
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')

/** craft signs arbitrary claims under an arbitrary header: what a forger would send. */
function craft(header: Record<string, unknown>, claims: unknown, key: KeyObject | Uint8Array): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader({ alg: 'EdDSA', ...header }).sign(key)
}

/** flip changes one character in the middle of part `index` of a compact token. */
function flip(token: string, index: number): string {
  const parts = token.split('.')
  const part = parts[index]!
  const i = Math.floor(part.length / 2)
  parts[index] = part.slice(0, i) + (part[i] === 'A' ? 'B' : 'A') + part.slice(i + 1)
  return parts.join('.')
}

async function refused(t: Test, token: string, code: string, kind: 'license' | 'activation' = 'license') {
  await t.rejects(verifyToken(kind, token, keyring), { constructor: LicenseError, code }, code)
}

t.test('issued tokens of every kind verify, with the claims as issued', async (t) => {
  const iat = now()
  const license = await issueLicense(SPEC, licenseKey(), { now: iat })
  t.match(license.claims.sub, /^lic_[A-Za-z0-9_-]{22}$/)
  t.same(await verifyToken('license', license.token, keyring), license.claims)
  t.same(license.claims, {
    iss: VENDOR_ISSUER,
    aud: APPLIANCE_AUDIENCE,
    iat,
    sub: license.claims.sub,
    product: 'veche',
    edition: 'server',
    licensee: { name: 'ООО «Ромашка»', taxId: '7701234567' },
    plan: 'Business 50',
    limits: { rooms: 10, participantsPerRoom: 50, internalUsers: 200 },
    features: ['recording'],
    term: 'perpetual',
    updatesUntil: new Date(new Date(iat * 1000).setUTCFullYear(new Date(iat * 1000).getUTCFullYear() + 1)).getTime() / 1000,
    activations: 1,
  }, 'perpetual: updates for 12 months, one activation, no termEnd')

  const update = await issueUpdatePackage({ licenseId: license.claims.sub, updatesUntil: iat + 400 * 86_400 }, licenseKey())
  t.same(await verifyToken('updatePackage', update.token, keyring), update.claims)
  t.match(update.claims.jti, /^upd_/)

  const cert = await issueActivationCertificate(
    { sub: license.claims.sub, activationId: 'act_x', fingerprint: machine('a'), activatedAt: iat, nonce: 'n'.repeat(22) },
    activationKey(),
  )
  t.same(await verifyToken('activation', cert.token, keyring), cert.claims)

  const header = JSON.parse(Buffer.from(license.token.split('.')[0]!, 'base64url').toString()) as unknown
  t.same(header, { alg: 'EdDSA', kid: 'test-license-1', typ: TokenTypes.license })
})

t.test('a key pasted from an e-mail with line breaks, spaces and quotes is accepted', async (t) => {
  const { token, claims } = await issueLicense(SPEC, licenseKey())
  const mangled = `"${token.replace(/(.{40})/g, '$1\r\n  ')}"\n`
  t.same(await verifyToken('license', mangled, keyring), claims)
})

t.test('every tampering is refused with its own code', async (t) => {
  const { token, claims } = await issueLicense(SPEC, licenseKey())
  const license = testKey('test-license-1', 'license')

  await refused(t, flip(token, 1), 'bad_signature')
  await refused(t, flip(token, 2), 'bad_signature')

  const impostor = createSigningKey('license', tempDir(t), { kid: 'test-license-1' })
  const forged = await craft({ kid: 'test-license-1', typ: TokenTypes.license }, { ...claims, limits: { ...claims.limits, rooms: 1000 } },
    loadSigningKey(impostor.file, 'license').privateKey)
  await refused(t, forged, 'bad_signature')

  const unsigned = `${b64({ alg: 'none', kid: 'test-license-1', typ: TokenTypes.license })}.${b64(claims)}.`
  await refused(t, unsigned, 'alg_not_allowed')

  // The classic confusion: the public key, which anyone has, used as an HMAC secret.
  const publicBytes = Buffer.from(license.trusted.jwk.x, 'base64url')
  const hmac = await craft({ alg: 'HS256', kid: 'test-license-1', typ: TokenTypes.license }, claims, publicBytes)
  await refused(t, hmac, 'alg_not_allowed')
  const pem = new TextEncoder().encode(createPublicKey(license.privateKey).export({ format: 'pem', type: 'spki' }) as string)
  await refused(t, await craft({ alg: 'HS256', kid: 'test-license-1', typ: TokenTypes.license }, claims, pem), 'alg_not_allowed')

  await refused(t, await craft({ kid: 'test-license-1', typ: TokenTypes.license }, { ...claims, product: 'kontur' }, license.privateKey), 'wrong_product')
  await refused(t, await craft({ kid: 'test-license-1', typ: TokenTypes.license }, { ...claims, edition: 'desktop' }, license.privateKey), 'wrong_product')

  const cert = await issueActivationCertificate(
    { sub: claims.sub, activationId: 'act_x', fingerprint: machine('a'), activatedAt: now(), nonce: 'n'.repeat(22) },
    activationKey(),
  )
  await refused(t, cert.token, 'wrong_type')
  await refused(t, token, 'wrong_type', 'activation')

  await refused(t, await craft({ kid: 'license-2031-01-abcdef', typ: TokenTypes.license }, claims, license.privateKey), 'unknown_key')
  const retired = await issueLicense(SPEC, testKey('test-license-retired', 'license'))
  await refused(t, retired.token, 'retired_key')
  await refused(t, await craft({ kid: 'test-activation-1', typ: TokenTypes.license }, claims, activationKey().privateKey), 'wrong_key_purpose')

  const future = await issueLicense(SPEC, licenseKey(), { now: now() + 7 * 86_400 })
  await refused(t, future.token, 'issued_in_future')

  await refused(t, 'hello', 'malformed')
  await refused(t, `${token.split('.')[0]}.${token.split('.')[1]}`, 'malformed')
  await refused(t, await craft({ kid: 'test-license-1', typ: TokenTypes.license }, { ...claims, activations: 0 }, license.privateKey), 'bad_claims')
})

t.test('a release kit does not trust the test keys', async (t) => {
  const { token } = await issueLicense(SPEC, licenseKey())
  const release = loadKeyring({ allowTestKeys: false })
  await t.rejects(verifyToken('license', token, release), { code: 'unknown_key' })
})
