// The relying party: sends the browser to the provider (authorization code flow with PKCE, state and
// nonce) and turns the provider's answer into verified claims. Knows nothing of Veche's users.
import { createHash } from 'node:crypto'
import { createRemoteJWKSet, customFetch, type JWTVerifyGetKey } from 'jose'
import { createDiscovery, type ProviderMetadata } from './discovery.ts'
import { OidcError } from './errors.ts'
import type { Fetch } from './http.ts'
import { verifyIdToken } from './id-token.ts'
import { createPendingSignIns, randomToken } from './pending.ts'

export interface OidcClientOptions {
  issuer: string
  clientId: string
  clientSecret: string
  scopes: string[]
  fetch: Fetch
}

/** The query string the provider sends the browser back with. */
export interface CallbackQuery {
  state?: string
  code?: string
  error?: string
  error_description?: string
  iss?: string
}

export interface VerifiedSignIn {
  /** The provider's stable id for the user (ID token `sub`). */
  subject: string
  /** ID token claims, completed by userinfo's. */
  claims: Record<string, unknown>
  /** Where the user wanted to go (from the start of the sign-in). */
  next: string
}

export interface OidcClient {
  readonly issuer: string
  /**
   * start returns the provider URL to send the browser to. `browserKey` is the value of the cookie
   * binding the sign-in to this browser. Throws OidcError sso_unavailable when discovery fails.
   */
  start(options: { redirectUri: string; next: string; browserKey: string }): Promise<string>
  /** finish checks the provider's answer and returns the verified user; throws OidcError. */
  finish(query: CallbackQuery, browserKey: string | undefined): Promise<VerifiedSignIn>
}

/** Form encoding, as RFC 6749 2.3.1 wants it for client_secret_basic's user and password. */
const formEncode = (s: string): string => encodeURIComponent(s).replace(/%20/g, '+')

export function createOidcClient(options: OidcClientOptions): OidcClient {
  const { issuer, clientId, clientSecret, fetch } = options
  const discovery = createDiscovery(issuer, fetch)
  const pending = createPendingSignIns()
  let keys: { uri: string; set: JWTVerifyGetKey } | null = null
  const keysFor = (metadata: ProviderMetadata): JWTVerifyGetKey => {
    if (keys?.uri !== metadata.jwksUri) {
      keys = { uri: metadata.jwksUri, set: createRemoteJWKSet(new URL(metadata.jwksUri), { [customFetch]: fetch, timeoutDuration: 10_000 }) }
    }
    return keys.set
  }

  /** call sends a request to the provider and returns its status and JSON object; unreachable: sso_unavailable. */
  const call = async (what: string, url: string, init: Parameters<Fetch>[1]): Promise<{ status: number; body: Record<string, unknown> }> => {
    let response: Response
    try {
      response = await fetch(url, init)
    } catch (err) {
      throw new OidcError('sso_unavailable', `cannot reach the ${what} ${url}: ${(err as Error).message}`, { cause: err })
    }
    const text = await response.text()
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      body = null
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new OidcError('sso_failed', `the ${what} answered HTTP ${response.status} without a JSON object`)
    }
    return { status: response.status, body: body as Record<string, unknown> }
  }

  const exchangeCode = async (metadata: ProviderMetadata, code: string, signIn: { redirectUri: string; codeVerifier: string }) => {
    const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: signIn.redirectUri, code_verifier: signIn.codeVerifier })
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }
    if (metadata.tokenAuthMethod === 'client_secret_basic') {
      headers.authorization = `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64')}`
    } else {
      form.set('client_id', clientId)
      form.set('client_secret', clientSecret)
    }
    const { status, body } = await call('token endpoint', metadata.tokenEndpoint, { method: 'POST', headers, body: form.toString() })
    if (status !== 200) {
      const reason = [body.error, body.error_description].filter((v) => typeof v === 'string').join(': ')
      throw new OidcError('sso_failed', `the token endpoint refused the code (HTTP ${status}${reason ? `, ${reason}` : ''})`)
    }
    if (typeof body.id_token !== 'string') throw new OidcError('sso_failed', 'the token endpoint returned no id_token (is "openid" among oidc.scopes?)')
    return { idToken: body.id_token, accessToken: typeof body.access_token === 'string' ? body.access_token : null }
  }

  const userinfo = async (metadata: ProviderMetadata, accessToken: string, subject: string): Promise<Record<string, unknown>> => {
    const { status, body } = await call('userinfo endpoint', metadata.userinfoEndpoint!, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
    })
    if (status !== 200) throw new OidcError('sso_failed', `the userinfo endpoint answered HTTP ${status}`)
    // OpenID Connect Core 5.3.2: userinfo about someone else must not be used.
    if (body.sub !== subject) throw new OidcError('sso_failed', 'the userinfo endpoint described another subject than the ID token')
    return body
  }

  return {
    issuer,
    async start({ redirectUri, next, browserKey }) {
      const metadata = await discovery.get()
      const codeVerifier = randomToken()
      const nonce = randomToken()
      const state = pending.put({ nonce, codeVerifier, redirectUri, next, browserKey })
      const url = new URL(metadata.authorizationEndpoint)
      url.searchParams.set('response_type', 'code')
      url.searchParams.set('client_id', clientId)
      url.searchParams.set('redirect_uri', redirectUri)
      url.searchParams.set('scope', options.scopes.join(' '))
      url.searchParams.set('state', state)
      url.searchParams.set('nonce', nonce)
      url.searchParams.set('code_challenge', createHash('sha256').update(codeVerifier).digest('base64url'))
      url.searchParams.set('code_challenge_method', 'S256')
      return url.href
    },

    async finish(query, browserKey) {
      const signIn = query.state ? pending.take(query.state) : undefined
      if (!signIn) throw new OidcError('sso_expired', 'unknown, expired or already used state: the sign-in must start again')
      try {
        if (!browserKey || browserKey !== signIn.browserKey) {
          throw new OidcError('sso_expired', 'the answer came to another browser than the one that started the sign-in')
        }
        if (query.error) {
          throw new OidcError('sso_denied', `the provider refused: ${query.error}${query.error_description ? `: ${query.error_description}` : ''}`)
        }
        const metadata = await discovery.get()
        // RFC 9207: an answer naming another issuer is a mix-up attack (or a misrouted answer).
        if (query.iss !== undefined ? query.iss !== metadata.issuer : metadata.issParameterSupported) {
          const named = query.iss === undefined ? 'names no issuer' : `names issuer ${JSON.stringify(query.iss)}`
          throw new OidcError('sso_failed', `the answer ${named}, expected ${metadata.issuer}`)
        }
        if (!query.code) throw new OidcError('sso_failed', 'the provider answered without a code')
        const tokens = await exchangeCode(metadata, query.code, signIn)
        const idClaims = await verifyIdToken(tokens.idToken, keysFor(metadata), {
          issuer: metadata.issuer,
          clientId,
          nonce: signIn.nonce,
          algorithms: metadata.idTokenAlgorithms,
        })
        const extra = metadata.userinfoEndpoint && tokens.accessToken ? await userinfo(metadata, tokens.accessToken, idClaims.sub) : {}
        // The signed ID token wins where both say something.
        return { subject: idClaims.sub, claims: { ...extra, ...idClaims }, next: signIn.next }
      } catch (err) {
        if (err instanceof OidcError) err.next = signIn.next
        throw err
      }
    },
  }
}
