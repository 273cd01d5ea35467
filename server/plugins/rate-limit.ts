// Per-address and per-user request limits for the REST API. Each route costs points (default 1;
// expensive routes say more with `config: { rateCost }`); a request over either budget gets 429 with
// Retry-After and does nothing. Health probes and the web client's static files are not metered.
import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { sendError } from '../http-errors.ts'
import { TokenBuckets } from '../limits/token-buckets.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Points this route takes from the caller's per-minute budgets; 0: not metered. */
    rateCost?: number
    /**
     * For routes a browser navigates to (not the web client's fetches): where to send it when over
     * budget, instead of a JSON 429 it would show as a bare page.
     */
    rateLimitedRedirect?: string
  }
}

export interface RateLimitOptions {
  perAddressPerMinute: number
  perUserPerMinute: number
  now?: () => number
}

/** Costs the expensive routes use, so their weights are set in one place. */
export const RATE_COST = {
  signIn: 10,
  export: 30,
  statistics: 10,
  invitation: 20,
} as const

export default fp<RateLimitOptions>(
  async (app, options) => {
    const now = options.now ?? Date.now
    const byAddress = new TokenBuckets(options.perAddressPerMinute)
    const byUser = new TokenBuckets(options.perUserPerMinute)

    const refuse = (request: FastifyRequest, reply: FastifyReply, retryAfterSeconds: number, who: string) => {
      reply.header('retry-after', String(retryAfterSeconds))
      const page = request.routeOptions.config?.rateLimitedRedirect
      if (page) return reply.redirect(page, 303)
      return sendError(reply, 429, 'rate_limited', `too many requests from ${who}; try again in ${retryAfterSeconds} s`)
    }

    // After auth's onRequest (registered before this plugin), so request.user is known.
    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      if (!request.url.startsWith('/api/')) return
      const cost = request.routeOptions.config?.rateCost ?? 1
      if (cost <= 0) return
      const at = now()
      const address = byAddress.take(request.ip, cost, at)
      if (!address.allowed) {
        request.log.warn({ ip: request.ip, url: request.url }, 'rate limit: address over budget')
        return refuse(request, reply, address.retryAfterSeconds, 'this address')
      }
      if (request.user) {
        const user = byUser.take(request.user.id, cost, at)
        if (!user.allowed) {
          request.log.warn({ user: request.user.id, url: request.url }, 'rate limit: user over budget')
          return refuse(request, reply, user.retryAfterSeconds, 'your account')
        }
      }
    })
  },
  { name: 'rate-limit', dependencies: ['auth'] },
)
