// A real OpenID Connect provider (the oidc-provider package) on a loopback HTTPS port with its own test
// CA, for tests of corporate sign-in: registered clients, accounts with a `groups` claim, and a login
// page that a test drives with HTTP requests (authorize) or a real browser fills in.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHash, randomBytes } from 'node:crypto'
import { exportJWK, generateKeyPair } from 'jose'
import { createFetch, type Fetch } from '../server/auth/oidc/http.ts'
import { ensureLocalTls } from '../server/tls/local-ca.ts'

interface TestContext {
  teardown(fn: () => unknown): void
}

export interface TestAccount {
  /** What the user types on the provider's login page; also their subject (sub). */
  login: string
  password: string
  email?: string
  name?: string
  groups?: string[]
}

export interface TestClient {
  clientId: string
  clientSecret: string
  redirectUris: string[]
}

export interface ProviderOptions {
  clients: TestClient[]
  accounts: TestAccount[]
  /** Key, certificate (chain) and CA to serve with; default: a test CA made once per process. */
  tls?: { key: string; cert: string; caFile: string }
  /** Token endpoint client authentication offered (default: both client secret methods). */
  authMethods?: ('client_secret_basic' | 'client_secret_post')[]
}

export interface TestProvider {
  issuer: string
  /** The test CA's certificate file, for oidc.caFile. */
  caFile: string
  /** The certificate (chain, PEM) the provider serves, for a browser to trust. */
  cert: string
  /** Accounts by login; tests may change a user's groups between sign-ins. */
  accounts: Map<string, TestAccount>
  /** A fetch that trusts the provider (and nothing else). */
  fetch: Fetch
  /**
   * authorize opens `authorizationUrl` as a browser would, signs in as `login` (or cancels) on the
   * provider's page, and returns where the provider sends the browser back: the client's redirect URI
   * with code and state (or error). Throws when the provider shows an error page instead.
   */
  authorize(authorizationUrl: string, login: string, password: string, options?: { cancel?: boolean }): Promise<URL>
  /** idToken runs a whole code flow for `client` as `login` and returns the ID token and its nonce. */
  idToken(client: TestClient, login: string, nonce?: string): Promise<{ idToken: string; nonce: string }>
  close(): Promise<void>
}

// The package ships no types; this is the little of it the harness uses.
interface OidcContext {
  oidc: {
    provider: ProviderInstance
    client: { clientId: string }
    session: { accountId: string; grantIdFor(clientId: string): string | undefined }
    result?: { consent?: { grantId?: string } }
    params: { scope?: string }
  }
}
interface Grant {
  addOIDCScope(scope: string): void
  save(): Promise<string>
}
interface ProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<{ uid: string; prompt: { name: string }; params: Record<string, unknown> }>
  interactionFinished(req: IncomingMessage, res: ServerResponse, result: object, options?: { mergeWithLastSubmission?: boolean }): Promise<void>
  Grant: { new (init: { clientId: string; accountId: string }): Grant; find(id: string): Promise<Grant | undefined> }
  on(event: string, listener: (...args: unknown[]) => void): void
}
type ProviderClass = new (issuer: string, configuration: object) => ProviderInstance

/**
 * The provider's storage: a Map per model for this test process. (The package's own in-memory adapter
 * warns on every start; this one does the same job for a test.)
 */
function memoryAdapter(): new (model: string) => object {
  const store = new Map<string, { payload: Record<string, unknown>; expiresAt: number }>()
  const live = (key: string): Record<string, unknown> | undefined => {
    const entry = store.get(key)
    if (entry && entry.expiresAt <= Date.now()) store.delete(key)
    return entry && entry.expiresAt > Date.now() ? entry.payload : undefined
  }
  return class {
    model: string
    constructor(model: string) {
      this.model = model
    }
    key(id: string): string {
      return `${this.model}:${id}`
    }
    async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number): Promise<void> {
      store.set(this.key(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity })
    }
    async find(id: string): Promise<Record<string, unknown> | undefined> {
      return live(this.key(id))
    }
    async findByUid(uid: string): Promise<Record<string, unknown> | undefined> {
      for (const key of store.keys()) if (key.startsWith(`${this.model}:`) && live(key)?.uid === uid) return live(key)
      return undefined
    }
    async findByUserCode(): Promise<undefined> {
      return undefined
    }
    async consume(id: string): Promise<void> {
      const payload = live(this.key(id))
      if (payload) payload.consumed = Math.floor(Date.now() / 1000)
    }
    async destroy(id: string): Promise<void> {
      store.delete(this.key(id))
    }
    async revokeByGrantId(grantId: string): Promise<void> {
      for (const [key, entry] of store) if (entry.payload.grantId === grantId) store.delete(key)
    }
  }
}

let testTls: { key: string; cert: string; caFile: string } | null = null

/** The test CA and a certificate for 127.0.0.1, made once per test process. */
function defaultTls(): { key: string; cert: string; caFile: string } {
  if (!testTls) {
    const dir = mkdtempSync(join(tmpdir(), 'veche-oidc-ca-'))
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
    const material = ensureLocalTls(dir, ['127.0.0.1', 'localhost'])
    testTls = { key: material.key, cert: material.cert, caFile: join(dir, 'ca.crt') }
  }
  return testTls
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

function loginPage(uid: string, clientId: string, error: string | null): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Corporate sign-in</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>
<h1>Corp SSO</h1><p>Signing in to ${escapeHtml(clientId)}</p>
${error ? `<p id="login-error">${escapeHtml(error)}</p>` : ''}
<form id="provider-login" method="post" action="/interaction/${uid}/login">
<label>Login <input name="login" autocomplete="username"></label>
<label>Password <input name="password" type="password"></label>
<button type="submit">Sign in</button></form>
<form method="post" action="/interaction/${uid}/abort"><button type="submit" id="provider-cancel">Cancel</button></form>
</body></html>`
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
}

/** startOidcProvider starts the provider on a free loopback port; it stops when the test ends. */
export async function startOidcProvider(t: TestContext, options: ProviderOptions): Promise<TestProvider> {
  // A non-literal specifier: the package has no type declarations, ProviderClass describes it.
  const specifier = 'oidc-provider'
  const { default: Provider } = (await import(specifier)) as { default: ProviderClass }
  const tls = options.tls ?? defaultTls()
  const accounts = new Map(options.accounts.map((a) => [a.login, { ...a }]))
  const { privateKey } = await generateKeyPair('RS256', { extractable: true })
  const signingKey = { ...(await exportJWK(privateKey)), kid: `test-${randomBytes(4).toString('hex')}`, use: 'sig', alg: 'RS256' }

  const server: Server = createServer({ key: tls.key, cert: tls.cert })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `https://127.0.0.1:${(server.address() as AddressInfo).port}`

  const provider = new Provider(issuer, {
    clients: options.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: options.authMethods?.[0] ?? 'client_secret_basic',
    })),
    clientAuthMethods: options.authMethods ?? ['client_secret_basic', 'client_secret_post'],
    adapter: memoryAdapter(),
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 600, Grant: 600 },
    async findAccount(_ctx: unknown, sub: string) {
      const account = accounts.get(sub)
      if (!account) return undefined
      return {
        accountId: sub,
        async claims() {
          const current = accounts.get(sub) ?? account
          return { sub, email: current.email, email_verified: true, name: current.name, groups: current.groups }
        },
      }
    },
    // Veche is a first-party client: no consent screen, the requested scopes are granted.
    async loadExistingGrant(ctx: OidcContext) {
      const { oidc } = ctx
      const grantId = oidc.result?.consent?.grantId ?? oidc.session.grantIdFor(oidc.client.clientId)
      if (grantId) return oidc.provider.Grant.find(grantId)
      const grant = new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId })
      grant.addOIDCScope(oidc.params.scope ?? 'openid')
      await grant.save()
      return grant
    },
    async renderError(ctx: { type: string; body: string }, out: Record<string, string>) {
      ctx.type = 'html'
      ctx.body = `<!doctype html><title>provider error</title><pre id="provider-error">${escapeHtml(JSON.stringify(out))}</pre>`
    },
  })
  provider.on('server_error', (_ctx, err) => console.error('oidc-provider server error', err))

  const callback = provider.callback()
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const m = /^\/interaction\/([^/?]+)(\/login|\/abort)?/.exec(req.url ?? '')
    if (!m) return callback(req, res)
    void (async () => {
      const details = await provider.interactionDetails(req, res)
      const clientId = String(details.params.client_id)
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage(details.uid, clientId, null))
      } else if (m[2] === '/abort') {
        await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'the user cancelled' }, { mergeWithLastSubmission: false })
      } else {
        const form = await readForm(req)
        const account = accounts.get(form.get('login') ?? '')
        if (!account || account.password !== form.get('password')) {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage(details.uid, clientId, 'Wrong login or password'))
          return
        }
        await provider.interactionFinished(req, res, { login: { accountId: account.login } }, { mergeWithLastSubmission: false })
      }
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' })
      res.end(`interaction failed: ${(err as Error).message}`)
    })
  })

  const fetch = createFetch([readFileSync(tls.caFile, 'utf8')])

  const authorize: TestProvider['authorize'] = async (authorizationUrl, login, password, opts = {}) => {
    const jar = new Map<string, { value: string; path: string }>()
    const request = async (url: URL, init: { method?: string; body?: string } = {}): Promise<Response> => {
      const cookie = [...jar].filter(([, c]) => url.pathname.startsWith(c.path)).map(([n, c]) => `${n}=${c.value}`).join('; ')
      const headers: Record<string, string> = cookie ? { cookie } : {}
      if (init.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded'
      const response = await fetch(url.href, { ...init, headers })
      for (const line of response.headers.getSetCookie()) {
        const [pair = '', ...attrs] = line.split(';').map((s) => s.trim())
        const eq = pair.indexOf('=')
        const name = pair.slice(0, eq)
        const path = attrs.find((a) => /^path=/i.test(a))?.slice(5) ?? '/'
        const gone = attrs.some((a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) < Date.now()))
        if (gone) jar.delete(name)
        else jar.set(name, { value: pair.slice(eq + 1), path })
      }
      return response
    }
    let url = new URL(authorizationUrl)
    let response = await request(url)
    for (let hops = 0; hops < 10; hops++) {
      const location = response.headers.get('location')
      if (location) {
        url = new URL(location, url)
        if (url.origin !== issuer) return url
        response = await request(url)
        continue
      }
      const page = await response.text()
      if (response.status !== 200 || !page.includes('id="provider-login"')) {
        throw new Error(`the provider answered ${response.status} at ${url.pathname}: ${page.slice(0, 500)}`)
      }
      if (page.includes('id="login-error"')) throw new Error(`the provider refused the login of ${login}`)
      const action = opts.cancel ? 'abort' : 'login'
      url = new URL(`${url.pathname.replace(/\/(login|abort)$/, '')}/${action}`, url)
      response = await request(url, { method: 'POST', body: new URLSearchParams({ login, password }).toString() })
    }
    throw new Error('too many redirects at the provider')
  }

  const close = async (): Promise<void> => {
    if (!server.listening) return
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  t.teardown(close)

  return {
    issuer,
    caFile: tls.caFile,
    cert: tls.cert,
    accounts,
    fetch,
    authorize,
    async idToken(client, login, nonce = randomBytes(16).toString('base64url')) {
      const verifier = randomBytes(32).toString('base64url')
      const auth = new URL(`${issuer}/auth`)
      auth.search = new URLSearchParams({
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: client.redirectUris[0]!,
        scope: 'openid email profile',
        state: 'test-state',
        nonce,
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      }).toString()
      const back = await authorize(auth.href, login, accounts.get(login)!.password)
      const code = back.searchParams.get('code')
      if (!code) throw new Error(`no code: ${back.href}`)
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: client.redirectUris[0]!, code_verifier: verifier }).toString(),
      })
      const body = (await response.json()) as { id_token?: string; error?: string }
      if (!body.id_token) throw new Error(`token endpoint: ${response.status} ${JSON.stringify(body)}`)
      return { idToken: body.id_token, nonce }
    },
    close,
  }
}
