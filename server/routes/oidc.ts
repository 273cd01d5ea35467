// Corporate sign-in through an OpenID Connect provider: /api/auth/oidc/start sends the browser there,
// /api/auth/oidc/callback brings it back signed in. Both are browser navigations, so every failure
// ends on the sign-in page with ?error=<code>, and a log line names the cause.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config/schema.ts'
import { externalIdOf, signInOidcUser } from '../auth/oidc/accounts.ts'
import { profileFromClaims } from '../auth/oidc/claims.ts'
import type { CallbackQuery } from '../auth/oidc/client.ts'
import { OidcError } from '../auth/oidc/errors.ts'
import { oidcClientFromConfig } from '../auth/oidc/from-config.ts'
import { PENDING_TTL_MS, randomToken } from '../auth/oidc/pending.ts'
import { refuseFeature } from '../license/policy.ts'
import { RATE_COST } from '../plugins/rate-limit.ts'
import { NoBody, replies } from './common-schemas.ts'

export interface OidcRoutesOptions {
  oidc: Config['oidc']
  publicUrl: string
}

/** Binds a sign-in to the browser that started it, so a callback link sent to someone else fails. */
export const OIDC_BROWSER_COOKIE = 'veche_oidc'
const COOKIE_PATH = '/api/auth/oidc'
const CALLBACK_PATH = '/api/auth/oidc/callback'
const HOME = '/rooms'
/** Over the sign-in budget, the browser lands on the sign-in page, which says to wait. */
const RATE_LIMITED_PAGE = '/signin?error=rate_limited'
/** Browser navigations: every answer is a redirect (303 when over the sign-in budget), never a body. */
const REDIRECTS = { response: replies({ 302: NoBody, 303: NoBody }) }

/** safeNext keeps only same-site paths, so a crafted link cannot send the user elsewhere afterwards. */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length > 2000) return HOME
  // '//host' and '/\host' are other sites to browsers; control characters have no place in a path.
  return next.startsWith('/') && !/^\/[/\\]/.test(next) && !/[\u0000-\u001f\u007f]/.test(next) ? next : HOME
}

/** The query's string values only (a repeated parameter is an array: not trusted). */
const strings = (query: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries((query ?? {}) as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'))

export default async function oidcRoutes(app: FastifyInstance, { oidc, publicUrl }: OidcRoutesOptions): Promise<void> {
  const client = oidcClientFromConfig(oidc)
  const log = app.log.child({ component: 'oidc' })
  if (client) log.info({ issuer: client.issuer, clientId: oidc.clientId }, 'corporate sign-in (OpenID Connect) configured')

  const redirectUri = (request: FastifyRequest): string =>
    oidc.redirectUrl || `${publicUrl.replace(/\/+$/, '') || `${request.protocol}://${request.host}`}${CALLBACK_PATH}`

  /** fail sends the browser to the sign-in page with `code`, logging why. */
  const fail = (request: FastifyRequest, reply: FastifyReply, code: string, cause: string, next = HOME): FastifyReply => {
    request.log.warn({ code, cause }, 'oidc sign-in failed')
    const query = new URLSearchParams({ error: code })
    if (next !== HOME) query.set('next', next)
    return reply.redirect(`/signin?${query}`, 302)
  }

  /** refusal says why SSO cannot be used at all now, or null. */
  const refusal = (): { code: string; cause: string } | null => {
    if (!client) return { code: 'sso_off', cause: 'oidc.issuer is not configured' }
    const refused = refuseFeature(app.license.state, 'sso')
    return refused ? { code: refused.code, cause: refused.message } : null
  }

  app.get('/api/auth/oidc/start', { schema: REDIRECTS, config: { rateCost: RATE_COST.signIn, rateLimitedRedirect: RATE_LIMITED_PAGE } }, async (request, reply) => {
    const next = safeNext(strings(request.query).next)
    const refused = refusal()
    if (refused) return fail(request, reply, refused.code, refused.cause, next)
    // Several tabs may sign in at once: they share the browser's key.
    const browserKey = request.cookies[OIDC_BROWSER_COOKIE] || randomToken()
    try {
      const url = await client!.start({ redirectUri: redirectUri(request), next, browserKey })
      reply.setCookie(OIDC_BROWSER_COOKIE, browserKey, {
        path: COOKIE_PATH,
        httpOnly: true,
        secure: true,
        sameSite: 'lax', // sent on the provider's top-level redirect back to the callback
        maxAge: PENDING_TTL_MS / 1000,
      })
      return reply.redirect(url, 302)
    } catch (err) {
      if (err instanceof OidcError) return fail(request, reply, err.code, err.message, next)
      throw err
    }
  })

  app.get('/api/auth/oidc/callback', { schema: REDIRECTS, config: { rateCost: RATE_COST.signIn, rateLimitedRedirect: RATE_LIMITED_PAGE } }, async (request, reply) => {
    const refused = refusal()
    if (refused) return fail(request, reply, refused.code, refused.cause)
    let verified
    try {
      verified = await client!.finish(strings(request.query) as CallbackQuery, request.cookies[OIDC_BROWSER_COOKIE])
    } catch (err) {
      if (err instanceof OidcError) return fail(request, reply, err.code, err.message, err.next)
      request.log.error({ err }, 'oidc callback failed unexpectedly')
      return fail(request, reply, 'sso_failed', (err as Error).message)
    }
    const profile = profileFromClaims(verified.claims, oidc)
    const externalId = externalIdOf(client!.issuer, verified.subject)
    const deps = { users: app.usersRepository, audit: app.auditRepository, license: app.license.state, log: request.log }
    const result = await signInOidcUser(deps, externalId, profile)
    if ('refused' in result) return fail(request, reply, result.refused, `${externalId}: ${result.reason}`, verified.next)
    // The provider is never asked again during a session: its length bounds how long someone it disabled keeps access.
    await app.startSession(reply, result.user, oidc.sessionHours)
    request.log.info({ user: result.user.id, role: result.user.role }, 'oidc sign-in')
    return reply.redirect(verified.next, 302)
  })
}
