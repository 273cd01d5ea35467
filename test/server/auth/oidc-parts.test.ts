// The parts of corporate sign-in on their own: the ID token verifier against tokens a real provider
// signed, the one-time sign-in store, claim mapping, discovery checks, and config refusals.
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRemoteJWKSet, customFetch } from 'jose'
import { profileFromClaims } from '../../../server/auth/oidc/claims.ts'
import { parseDiscovery } from '../../../server/auth/oidc/discovery.ts'
import { OidcError } from '../../../server/auth/oidc/errors.ts'
import { oidcClientFromConfig } from '../../../server/auth/oidc/from-config.ts'
import { createFetch } from '../../../server/auth/oidc/http.ts'
import { verifyIdToken } from '../../../server/auth/oidc/id-token.ts'
import { createPendingSignIns } from '../../../server/auth/oidc/pending.ts'
import { safeNext } from '../../../server/routes/oidc.ts'
import { testConfig, tempDir } from '../../helper.ts'
import { startOidcProvider } from '../../oidc-provider.ts'

const CALLBACK = 'https://meet.corp.example/api/auth/oidc/callback'
const VECHE = { clientId: 'veche', clientSecret: 'veche secret', redirectUris: [CALLBACK] }
const OTHER = { clientId: 'other-app', clientSecret: 'other secret', redirectUris: [CALLBACK] }

t.test('the ID token verifier, with tokens the provider signed', async (t) => {
  const provider = await startOidcProvider(t, {
    clients: [VECHE, OTHER],
    accounts: [{ login: 'ivan', password: 'pw', email: 'ivan@corp.example', name: 'Ivan', groups: [] }],
  })
  const keys = createRemoteJWKSet(new URL(`${provider.issuer}/jwks`), { [customFetch]: provider.fetch })
  const expect = (nonce: string) => ({ issuer: provider.issuer, clientId: 'veche', nonce, algorithms: ['RS256'] })
  const refused = (message: RegExp) => ({ name: 'OidcError', code: 'sso_failed', message })

  const { idToken, nonce } = await provider.idToken(VECHE, 'ivan')
  const claims = await verifyIdToken(idToken, keys, expect(nonce))
  t.match(claims, { sub: 'ivan', iss: provider.issuer, aud: 'veche', nonce })

  const forOther = await provider.idToken(OTHER, 'ivan')
  await t.rejects(verifyIdToken(forOther.idToken, keys, expect(forOther.nonce)), refused(/"aud"/), 'issued to another client')
  await t.rejects(verifyIdToken(idToken, keys, { ...expect(nonce), issuer: 'https://sso.other.example' }), refused(/"iss"/), 'another issuer')
  await t.rejects(verifyIdToken(idToken, keys, expect('another nonce')), refused(/nonce/), 'another nonce')
  await t.rejects(verifyIdToken(idToken, keys, { ...expect(nonce), algorithms: ['ES256'] }), refused(/alg/), 'an algorithm not offered')
  const [head, body, signature] = idToken.split('.') as [string, string, string]
  const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`
  await t.rejects(verifyIdToken(`${head}.${body}.${flipped}`, keys, expect(nonce)), refused(/signature/), 'a changed signature')
  const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'olga' })).toString('base64url')
  await t.rejects(verifyIdToken(`${head}.${forged}.${signature}`, keys, expect(nonce)), refused(/signature/), 'a changed payload')
  const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${body}.`
  await t.rejects(verifyIdToken(unsigned, keys, expect(nonce)), refused(/./), 'alg none')

  const later = new Date((claims.exp! + 120) * 1000)
  await t.rejects(verifyIdToken(idToken, keys, expect(nonce), later), refused(/"exp"/), 'expired')
  const withinTolerance = new Date((claims.exp! + 30) * 1000)
  t.ok(await verifyIdToken(idToken, keys, expect(nonce), withinTolerance), 'a little clock skew is tolerated')
  const earlier = new Date((claims.iat! - 600) * 1000)
  await t.rejects(verifyIdToken(idToken, keys, expect(nonce), earlier), refused(/"iat"/), 'issued in the future')
  const muchLater = new Date((claims.iat! + 3600) * 1000)
  await t.rejects(verifyIdToken(idToken, keys, { ...expect(nonce) }, muchLater), refused(/"(iat|exp)"/), 'issued long ago')

  await provider.close()
  const unreachable = createRemoteJWKSet(new URL(`${provider.issuer}/jwks`), { [customFetch]: provider.fetch })
  await t.rejects(verifyIdToken(idToken, unreachable, expect(nonce)), { code: 'sso_unavailable' }, 'keys not reachable')
})

t.test('a pending sign-in is taken once and expires after its time', async (t) => {
  let now = 1_000_000
  const pending = createPendingSignIns(600_000, () => now)
  const signIn = { nonce: 'n', codeVerifier: 'v', redirectUri: CALLBACK, next: '/rooms', browserKey: 'b' }
  const state = pending.put(signIn)
  t.match(state, /^[\w-]{43}$/)
  t.same(pending.take(state), signIn)
  t.equal(pending.take(state), undefined, 'used once')
  const late = pending.put(signIn)
  now += 600_000
  t.equal(pending.take(late), undefined, 'ten minutes later it is gone')
  pending.put(signIn)
  now += 600_001
  pending.put(signIn)
  t.equal(pending.size, 1, 'expired sign-ins are swept')
})

t.test('claims map to e-mail, name and role', async (t) => {
  const rules = { roleClaim: 'groups', ownerValues: ['owners'], adminValues: ['admins'], requiredValues: [] }
  t.same(profileFromClaims({ sub: 's', email: 'a@corp.example', name: 'Anna', groups: ['admins', 'owners'] }, rules), {
    email: 'a@corp.example',
    displayName: 'Anna',
    role: 'owner',
    allowed: true,
    values: ['admins', 'owners'],
  })
  t.match(profileFromClaims({ sub: 's', email: 'a@corp.example', groups: 'admins' }, rules), { role: 'admin', displayName: 'a' }, 'a string claim')
  t.match(profileFromClaims({ sub: 's', upn: 'b@corp.example', given_name: 'Boris', family_name: 'Ivanov' }, rules), {
    email: 'b@corp.example',
    displayName: 'Boris Ivanov',
    role: 'member',
  })
  t.match(profileFromClaims({ sub: 's', preferred_username: 'nomail' }, rules), { email: null, displayName: 'nomail' })
  t.match(profileFromClaims({ sub: 's', email: 'c@x', name: 'x'.repeat(100) }, rules), { displayName: 'x'.repeat(64) }, 'names fit the users table')
  const keycloak = { ...rules, roleClaim: 'realm_access.roles' }
  t.match(profileFromClaims({ sub: 's', realm_access: { roles: ['admins'] } }, keycloak), { role: 'admin' }, 'a dotted path')
  t.match(profileFromClaims({ sub: 's', groups: ['admins'] }, { ...rules, ownerValues: [], adminValues: [] }), { role: null }, 'no mapping: no role')
  const required = { ...rules, requiredValues: ['veche'] }
  t.match(profileFromClaims({ sub: 's', groups: ['staff'] }, required), { allowed: false })
  t.match(profileFromClaims({ sub: 's', groups: ['staff', 'veche'] }, required), { allowed: true })
  t.match(profileFromClaims({ sub: 's', groups: ['owners'] }, required), { allowed: true }, 'owner values count')
})

t.test('a discovery document is checked before use', async (t) => {
  const issuer = 'https://sso.corp.example/realms/corp'
  const doc = {
    issuer,
    authorization_endpoint: `${issuer}/auth`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/certs`,
    response_types_supported: ['code', 'id_token'],
    id_token_signing_alg_values_supported: ['RS256', 'HS256', 'none'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt'],
  }
  t.match(parseDiscovery(doc, issuer), {
    issuer,
    userinfoEndpoint: null,
    tokenAuthMethod: 'client_secret_post',
    idTokenAlgorithms: ['RS256'],
    issParameterSupported: false,
  })
  const bad = (changes: object, message: RegExp) => t.throws(() => parseDiscovery({ ...doc, ...changes }, issuer), { code: 'sso_unavailable', message })
  bad({ issuer: `${issuer}/` }, /names the issuer "https:\/\/sso.corp.example\/realms\/corp\/": set oidc.issuer to exactly that value/)
  bad({ token_endpoint: 'http://sso.corp.example/token' }, /token_endpoint must be an https URL/)
  bad({ jwks_uri: undefined }, /jwks_uri is not a URL/)
  bad({ response_types_supported: ['id_token'] }, /authorization code flow/)
  bad({ token_endpoint_auth_methods_supported: ['private_key_jwt'] }, /no client secret authentication/)
  bad({ id_token_signing_alg_values_supported: ['HS256'] }, /no asymmetric/)
  t.type(new OidcError('sso_failed', 'x'), Error)
})

t.test('next stays on this site', async (t) => {
  t.equal(safeNext('/r/abc?x=1'), '/r/abc?x=1')
  for (const bad of [undefined, '', 'rooms', '//evil.example', '/\\evil.example', 'https://evil.example', '/a\nb', '/' + 'a'.repeat(3000)]) {
    t.equal(safeNext(bad), '/rooms', JSON.stringify(bad))
  }
})

t.test('an oidc section that cannot work is refused at start, naming the key', async (t) => {
  const dir = tempDir(t)
  const oidc = (set: string[]) => testConfig(dir, set).oidc
  t.equal(oidcClientFromConfig(oidc([])), null, 'no issuer: off')
  const base = ['oidc.issuer=https://sso.corp.example', 'oidc.clientId=veche', 'oidc.clientSecret=s']
  t.throws(() => oidcClientFromConfig(oidc(['oidc.issuer=https://sso.corp.example'])), { message: /oidc\.clientId is empty/ })
  t.throws(() => oidcClientFromConfig(oidc([...base.slice(0, 2)])), { message: /oidc\.clientSecret is empty/ })
  t.throws(() => oidcClientFromConfig(oidc([...base, 'oidc.issuer=http://sso.corp.example'])), { message: /oidc\.issuer must be an https URL/ })
  t.ok(oidcClientFromConfig(oidc([...base, 'oidc.issuer=http://127.0.0.1:9000'])), 'plain http only on loopback')
  t.throws(() => oidcClientFromConfig(oidc([...base, 'oidc.scopes=email,profile'])), { message: /oidc\.scopes must include openid/ })
  t.throws(() => oidcClientFromConfig(oidc([...base, 'oidc.caFile=/nonexistent/ca.pem'])), { message: /cannot read oidc\.caFile \/nonexistent\/ca\.pem/ })
  const notPem = join(dir, 'not.pem')
  writeFileSync(notPem, 'hello')
  t.throws(() => oidcClientFromConfig(oidc([...base, `oidc.caFile=${notPem}`])), { message: /holds no PEM certificate/ })
})

t.test('the HTTP client bounds what it accepts', async (t) => {
  const fetch = createFetch([])
  await t.rejects(fetch('ftp://example.com/x'), { message: /unsupported URL scheme/ })
})
