// Reads a signaling request's client details for the meeting history: user agent, address, and
// whether a trusted reverse proxy forwarded it.
import type { FastifyRequest } from 'fastify'
import type { PeerClient } from '../sfu/peer.ts'

/** Headers are kept to this many characters: enough for any real one, and a bound on what a client can store. */
const MAX_HEADER = 512

const text = (value: string | string[] | undefined): string | undefined => {
  const joined = Array.isArray(value) ? value.join(', ') : value
  return joined ? joined.slice(0, MAX_HEADER) : undefined
}

/**
 * clientDetails returns where `request` comes from. Fastify's trustProxy (server.trustedProxies) makes
 * request.ip the client behind a trusted proxy, and request.ips longer than the socket's own address
 * only when the socket's peer is trusted and sent X-Forwarded-For; anyone else's header is ignored.
 */
export function clientDetails(request: FastifyRequest): PeerClient {
  // request.ips exists only when trustProxy is set.
  const viaProxy = (request.ips?.length ?? 1) > 1
  return {
    userAgent: text(request.headers['user-agent']),
    address: request.ip,
    viaProxy,
    forwardedFor: viaProxy ? text(request.headers['x-forwarded-for']) : undefined,
  }
}
