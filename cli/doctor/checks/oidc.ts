// The OpenID Connect provider answers as sign-in needs it to: the oidc settings are accepted, discovery
// at oidc.issuer names that same issuer, and the provider's key set holds a key to check ID tokens with.
import { oidcClientFromConfig } from '../../../server/auth/oidc/from-config.ts'
import { createDiscovery } from '../../../server/auth/oidc/discovery.ts'
import { createFetch, trustedCas, type Fetch } from '../../../server/auth/oidc/http.ts'
import type { Check } from '../check.ts'

/** oidc has no timeout setting: each request may take 10 s in all, the limit server/auth/oidc/http.ts puts on an idle socket. */
const REQUEST_TIMEOUT_MS = 10_000

/** withFix adds the setting to check to a message that names none. */
function withFix(message: string): string {
  if (/oidc\.\w+/.test(message)) return message
  if (/certificate/i.test(message)) return `${message}: set oidc.caFile to the PEM of the CA that signed the provider's certificate`
  return `${message}: check oidc.issuer and that the provider runs`
}

/** signingKeys returns how many keys in the provider's key set can check a signature; throws saying why none. */
async function signingKeys(fetch: Fetch, uri: string): Promise<number> {
  let response: Response
  try {
    response = await fetch(uri, { headers: { accept: 'application/json' } })
  } catch (err) {
    throw new Error(`cannot reach the provider's key set ${uri} (jwks_uri): ${(err as Error).message}`)
  }
  if (response.status !== 200) throw new Error(`the provider's key set ${uri} (jwks_uri) answered HTTP ${response.status}`)
  let body: unknown
  try {
    body = await response.json()
  } catch {
    throw new Error(`the provider's key set ${uri} (jwks_uri) did not answer JSON`)
  }
  const keys: unknown = (body as { keys?: unknown } | null)?.keys
  if (!Array.isArray(keys)) throw new Error(`the provider's key set ${uri} (jwks_uri) is not a JWK set (no "keys" list)`)
  // A key marked for encryption cannot check an ID token's signature.
  return keys.filter((k: unknown) => typeof k === 'object' && k !== null && typeof (k as { kty?: unknown }).kty === 'string' && (k as { use?: unknown }).use !== 'enc').length
}

export const oidcCheck: Check = {
  name: 'oidc',
  title: 'OpenID Connect',
  async run(ctx) {
    const config = ctx.config().oidc
    if (config.issuer === '') return { status: 'ok', message: 'not configured (oidc.issuer is empty): SSO sign-in is off' }
    let fetch: Fetch
    try {
      // The same validation the server runs at start; its messages name the key.
      oidcClientFromConfig(config)
      const base = createFetch(trustedCas(config.caFile))
      fetch = (url, init) => base(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
    } catch (err) {
      return { status: 'error', message: (err as Error).message }
    }
    try {
      const metadata = await createDiscovery(config.issuer, fetch).get()
      const keys = await signingKeys(fetch, metadata.jwksUri)
      if (keys === 0) {
        return { status: 'error', message: `the provider's key set ${metadata.jwksUri} holds no signing key, so no ID token can be checked: fix the provider at oidc.issuer` }
      }
      return { status: 'ok', message: `${config.issuer}: discovery names this issuer; ${keys} signing key${keys === 1 ? '' : 's'} at ${metadata.jwksUri}` }
    } catch (err) {
      return { status: 'error', message: withFix((err as Error).message) }
    }
  },
}
