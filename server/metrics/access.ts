// Who may read /metrics: with metrics.token set, whoever sends it as a Bearer token; without one,
// only this machine (loopback), so a scraper elsewhere needs a token the admin chose.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { sendError } from '../http-errors.ts'

/** isLoopback: 127.0.0.0/8, ::1, and IPv4 loopback seen through an IPv6 socket. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address
  return v4.startsWith('127.') || address === '::1'
}

// Compared as digests: equal lengths for timingSafeEqual, and no timing hint of the token's length.
const digest = (s: string): Buffer => createHash('sha256').update(s).digest()

/** metricsAccess returns the preHandler enforcing the rule above for `token` ('' = loopback only). */
export function metricsAccess(token: string): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  const expected = token ? digest(token) : undefined
  return async (request, reply) => {
    if (expected) {
      const header = request.headers.authorization ?? ''
      const given = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim()
      if (given && timingSafeEqual(digest(given), expected)) return
      void reply.header('www-authenticate', 'Bearer realm="veche-metrics"')
      return void sendError(reply, 401, 'unauthorized', 'GET /metrics needs the header Authorization: Bearer <metrics.token>')
    }
    // A reverse proxy on this machine makes every request look local: set metrics.token behind one.
    if (isLoopback(request.socket.remoteAddress)) return
    return void sendError(reply, 403, 'forbidden', 'metrics are served only to this machine: set metrics.token in the config to scrape from elsewhere')
  }
}
