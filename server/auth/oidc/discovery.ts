// Reads the provider's discovery document (/.well-known/openid-configuration), checks it names the
// configured issuer, and keeps it for an hour; a failure is never kept, so the next sign-in retries.
import { OidcError } from './errors.ts'
import type { Fetch } from './http.ts'

export interface ProviderMetadata {
  issuer: string
  authorizationEndpoint: string
  tokenEndpoint: string
  userinfoEndpoint: string | null
  jwksUri: string
  /** How Veche proves it is the client at the token endpoint. */
  tokenAuthMethod: 'client_secret_basic' | 'client_secret_post'
  /** ID token signature algorithms the provider uses; only asymmetric ones are accepted. */
  idTokenAlgorithms: string[]
  /** RFC 9207: the provider adds `iss` to its answer, which must then be present and equal. */
  issParameterSupported: boolean
}

const CACHE_MS = 60 * 60 * 1000
const ASYMMETRIC = /^(RS|PS|ES)(256|384|512)$|^ES256K$|^EdDSA$|^Ed25519$/

/** isLoopback: plain http is allowed only for a provider on this machine (development, tests). */
export function isLoopback(url: URL): boolean {
  return url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\./.test(url.hostname)
}

/** checkProviderUrl throws unless `value` is an https URL (http on loopback only); `what` names it. */
export function checkProviderUrl(value: unknown, what: string): string {
  let url: URL
  try {
    url = new URL(String(value))
  } catch {
    throw new Error(`${what} is not a URL: ${JSON.stringify(value)}`)
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url))) {
    throw new Error(`${what} must be an https URL, got ${url.href}`)
  }
  return url.href
}

/**
 * parseDiscovery returns the parts of a discovery document Veche uses. Throws OidcError
 * sso_unavailable naming what is wrong: another issuer, a missing endpoint, no code flow.
 */
export function parseDiscovery(doc: unknown, expectedIssuer: string): ProviderMetadata {
  const bad = (why: string): OidcError => new OidcError('sso_unavailable', `discovery document of ${expectedIssuer}: ${why}`)
  if (typeof doc !== 'object' || doc === null) throw bad('not a JSON object')
  const d = doc as Record<string, unknown>
  if (d.issuer !== expectedIssuer) {
    throw bad(`it names the issuer ${JSON.stringify(d.issuer)}: set oidc.issuer to exactly that value (or fix the provider)`)
  }
  const endpoint = (key: string): string => {
    try {
      return checkProviderUrl(d[key], key)
    } catch (err) {
      throw bad((err as Error).message)
    }
  }
  const list = (key: string): string[] | null => (Array.isArray(d[key]) ? (d[key] as unknown[]).filter((v): v is string => typeof v === 'string') : null)
  const responseTypes = list('response_types_supported')
  if (responseTypes && !responseTypes.includes('code')) throw bad('the provider does not offer the authorization code flow')
  const methods = list('token_endpoint_auth_methods_supported') ?? ['client_secret_basic'] // the spec's default
  const tokenAuthMethod = methods.includes('client_secret_basic')
    ? 'client_secret_basic'
    : methods.includes('client_secret_post')
      ? 'client_secret_post'
      : null
  if (!tokenAuthMethod) throw bad(`no client secret authentication at the token endpoint (offers ${methods.join(', ')})`)
  const algorithms = (list('id_token_signing_alg_values_supported') ?? ['RS256']).filter((a) => ASYMMETRIC.test(a))
  if (algorithms.length === 0) throw bad('no asymmetric ID token signature algorithm offered')
  return {
    issuer: expectedIssuer,
    authorizationEndpoint: endpoint('authorization_endpoint'),
    tokenEndpoint: endpoint('token_endpoint'),
    userinfoEndpoint: d.userinfo_endpoint === undefined ? null : endpoint('userinfo_endpoint'),
    jwksUri: endpoint('jwks_uri'),
    tokenAuthMethod,
    idTokenAlgorithms: algorithms,
    issParameterSupported: d.authorization_response_iss_parameter_supported === true,
  }
}

export interface Discovery {
  /** get returns the provider's metadata, fetching it when not known or older than an hour. */
  get(): Promise<ProviderMetadata>
}

export function createDiscovery(issuer: string, fetch: Fetch): Discovery {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`
  let cached: { metadata: ProviderMetadata; at: number } | null = null
  let pending: Promise<ProviderMetadata> | null = null

  const load = async (): Promise<ProviderMetadata> => {
    let response: Response
    try {
      response = await fetch(url, { headers: { accept: 'application/json' } })
    } catch (err) {
      throw new OidcError('sso_unavailable', `cannot reach ${url}: ${(err as Error).message}`, { cause: err })
    }
    if (response.status !== 200) throw new OidcError('sso_unavailable', `${url} answered HTTP ${response.status}`)
    let doc: unknown
    try {
      doc = await response.json()
    } catch {
      throw new OidcError('sso_unavailable', `${url} did not answer JSON`)
    }
    const metadata = parseDiscovery(doc, issuer)
    cached = { metadata, at: Date.now() }
    return metadata
  }

  return {
    get() {
      if (cached && Date.now() - cached.at < CACHE_MS) return Promise.resolve(cached.metadata)
      pending ??= load().finally(() => (pending = null))
      return pending
    },
  }
}
