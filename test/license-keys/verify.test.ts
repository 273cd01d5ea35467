import t, { type Test } from 'tap'
import { CompactSign } from 'jose'
import { createPublicKey, type KeyObject } from 'node:crypto'
import { APPLIANCE_AUDIENCE, TokenTypes, VENDOR_ISSUER } from '../../license-keys/claims.ts'
import { LicenseError } from '../../license-keys/errors.ts'
import { loadKeyring } from '../../license-keys/keyring.ts'
import { armor } from '../../license-keys/armor.ts'
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

/** craftRaw signs `payload` text as is: claims no JSON.stringify would make (nested 100,000 deep). */
function craftRaw(header: Record<string, unknown>, payload: string, key: KeyObject): Promise<string> {
  return new CompactSign(new TextEncoder().encode(payload)).setProtectedHeader({ alg: 'EdDSA', ...header }).sign(key)
}

t.test('tokens are bounded before decoding: size, nesting and unknown claims, each refused with the bound', async (t) => {
  const { claims } = await issueLicense(SPEC, licenseKey())
  const license = testKey('test-license-1', 'license')
  const header = { kid: 'test-license-1', typ: TokenTypes.license }
  const huge = await craft(header, { ...claims, padding: 'x'.repeat(1_000_000) }, license.privateKey)
  await t.rejects(verifyToken('license', huge, keyring), {
    code: 'too_large',
    message: /^this is not a license key: it is 1\.3 MiB, and a license key with any e-mail text around it is at most 64 KiB/,
  })
  const large = await craft(header, { ...claims, padding: 'x'.repeat(20_000) }, license.privateKey)
  await t.rejects(verifyToken('license', large, keyring), {
    code: 'too_large',
    message: /^a license key is at most 8 KiB; this one is 26\.\d KiB: it is not one the vendor issues/,
  })
  const deep = (n: number) => `${JSON.stringify(claims).slice(0, -1)},"x":${'['.repeat(n)}${']'.repeat(n)}}`
  await t.rejects(verifyToken('license', await craftRaw(header, deep(100_000), license.privateKey), keyring), { code: 'too_large' })
  await t.rejects(verifyToken('license', await craftRaw(header, deep(2_000), license.privateKey), keyring), {
    code: 'bad_claims',
    message: 'the claims of a license key nest deeper than 8 levels, which no Veche token does: ask the vendor to re-issue it',
  })
  await t.rejects(verifyToken('license', await craft(header, { ...claims, seats: 5 }, license.privateKey), keyring), {
    code: 'unsupported',
    message: 'a license key carries a claim /seats that this version of Veche does not understand: update Veche, or ask the vendor for a key this version accepts',
  })
  await t.rejects(verifyToken('license', await craft(header, { ...claims, limits: { ...claims.limits, cpus: 4 } }, license.privateKey), keyring), {
    code: 'unsupported',
    message: /a license key carries a claim \/limits\/cpus that this version/,
  })
  const cert = { iss: VENDOR_ISSUER, aud: APPLIANCE_AUDIENCE, iat: now(), sub: claims.sub, activationId: 'act_x', activatedAt: now(), nonce: 'n'.repeat(22) }
  const many = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`c${String.fromCharCode(97 + i)}`, 'f'.repeat(32)]))
  const crowded = await craft({ kid: 'test-activation-1', typ: TokenTypes.activation }, { ...cert, fingerprint: many }, activationKey().privateKey)
  await t.rejects(verifyToken('activation', crowded, keyring), { code: 'bad_claims', message: /^an activation certificate has an invalid claim \/fingerprint: / })
})

t.test('nbf: a key valid from next month is refused until then, naming the date; an iat in the future too', async (t) => {
  const { claims } = await issueLicense(SPEC, licenseKey())
  const license = testKey('test-license-1', 'license')
  const nbf = Date.UTC(2027, 0, 5) / 1000
  const token = await craft({ kid: 'test-license-1', typ: TokenTypes.license }, { ...claims, iat: nbf - 40 * 86_400, nbf }, license.privateKey)
  await t.rejects(verifyToken('license', token, keyring, { now: nbf - 86_400 }), {
    code: 'not_yet_valid',
    message: /^this key is valid from 2027-01-05: a license key cannot be used before 2027-01-05T00:00:00\.000Z .*install it on or after that day/,
  })
  t.equal((await verifyToken('license', token, keyring, { now: nbf - 60 })).nbf, nbf, 'within the clock leeway it is valid')
  t.equal((await verifyToken('license', token, keyring, { now: nbf + 86_400 })).sub, claims.sub, 'valid from that day on')
  await t.rejects(verifyToken('license', token, keyring, { now: nbf - 41 * 86_400 }), { code: 'not_yet_valid' })
})

t.test('a key in armor, in a letter, wrapped and quoted by replies is found; two different keys are refused', async (t) => {
  const { token, claims } = await issueLicense(SPEC, licenseKey())
  const armored = armor('license', token)
  t.match(armored, /^-----BEGIN VECHE LICENSE-----\n(?:[A-Za-z0-9_.-]{64}\n)+[A-Za-z0-9_.-]{1,64}\n-----END VECHE LICENSE-----\n$/)
  const letter = `Hello,\n\nhere is your key:\n\n${armored}\nBest regards,\nVendor support\n`
  t.same(await verifyToken('license', letter, keyring), claims, 'armored, with the letter around it')
  const quoted = letter.replace(/^/gm, '> ').replace(/^/gm, '> ')
  t.same(await verifyToken('license', `Forwarding:\r\n${quoted.replace(/\n/g, '\r\n')}`, keyring), claims, 'quoted twice, CRLF')
  const wrapped = `Your key: ${token.slice(0, 50)}\n> ${token.slice(50, 120)}\n> ${token.slice(120)}\nThanks\n`
  t.same(await verifyToken('license', wrapped, keyring), claims, 'wrapped without armor, text on the first line, a word below')
  t.same(await verifyToken('license', `Key: "${token}", valid forever.`, keyring), claims, 'in a sentence')
  t.same(await verifyToken('license', `${letter}\n> On Monday you wrote:\n> ${token}\n`, keyring), claims, 'the same key twice is one key')

  const other = await issueLicense(SPEC, licenseKey())
  await t.rejects(verifyToken('license', `${armored}\n${armor('license', other.token)}`, keyring), {
    code: 'several_tokens',
    message: `the text holds 2 different keys (ending '...${token.slice(-8)}', '...${other.token.slice(-8)}') where one is expected: paste only a license key`,
  })
  await t.rejects(verifyToken('license', armored.split('\n').slice(0, -2).join('\n'), keyring), {
    code: 'malformed',
    message: 'a license key starts with a -----BEGIN line but its -----END line is missing: copy the whole block',
  })
  await t.rejects(verifyToken('license', 'Dear customer, your key follows.', keyring), {
    code: 'malformed',
    message: 'this is not a license key: expected three dot-separated base64url parts (copy the whole key)',
  })
})

t.test('refusals say what the token is and what to do', async (t) => {
  const { token, claims } = await issueLicense(SPEC, licenseKey())
  const license = testKey('test-license-1', 'license')
  const crit = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'EdDSA', kid: 'test-license-1', typ: TokenTypes.license, crit: ['seatPolicy'], seatPolicy: 'strict' })
    .sign(license.privateKey, { crit: { seatPolicy: true } })
  await t.rejects(verifyToken('license', crit, keyring), {
    code: 'unsupported',
    message: 'a license key uses a feature this version of Veche does not understand (seatPolicy): update Veche, or ask the vendor for a key this version accepts',
  })
  await t.rejects(verifyToken('license', flip(crit, 2), keyring), { code: 'bad_signature' }, 'an altered one is still reported as altered')
  const teleport = await craft({ kid: 'test-license-1', typ: TokenTypes.license }, { ...claims, features: ['recording', 'teleport'] }, license.privateKey)
  await t.rejects(verifyToken('license', teleport, keyring), {
    code: 'bad_claims',
    message: "a license key has /features/1 'teleport', which this version of Veche does not know (it knows recording, streaming, sso, sip): update Veche, or ask the vendor to re-issue the key",
  })
  await t.rejects(verifyToken('license', await craft({ typ: TokenTypes.license }, claims, license.privateKey), keyring), {
    code: 'unknown_key',
    message: 'a license key must name the vendor key that signed it, and this one has no key id (kid): it is not a Veche key, ask the vendor for a license key',
  })
  await t.rejects(verifyToken('license', await craft({ kid: 'test-activation-1', typ: TokenTypes.license }, claims, activationKey().privateKey), keyring), {
    code: 'wrong_key_purpose',
    message: "a license key must be signed with the vendor's license signing key, but this one is signed with its activation signing key 'test-activation-1', which signs only activation certificates: ask the vendor to re-issue it",
  })
  await t.rejects(verifyToken('activation', token, keyring), {
    code: 'wrong_type',
    message: 'this is a license key, not an activation certificate: activate it with `veche activate <key>`, or install a renewal with `veche license install <key>`',
  })
  await t.rejects(verifyToken('license', await craft({ kid: 'test-license-1', typ: TokenTypes.license }, { ...claims, limits: { ...claims.limits, rooms: 0 } }, license.privateKey), keyring), {
    code: 'bad_claims',
    message: 'a license key has an invalid claim /limits/rooms (0): expected integer to be greater or equal to 1; ask the vendor to re-issue it',
  })
})
