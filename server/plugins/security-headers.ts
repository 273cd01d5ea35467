// Puts the browser's protections on every answer (pages, API, static files, errors, 404s): a strict
// Content-Security-Policy, no framing, no MIME sniffing, no Referer to other origins, HSTS over https,
// and camera, microphone and screen capture for this origin only.
import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'

/** A Host (or X-Forwarded-Host) fit to be named in a header: a DNS name or address with an optional port. */
const PLAIN_HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i

/**
 * contentSecurityPolicy is the policy for an answer served on `host`. The client is one same-origin
 * module bundle and one stylesheet, with nothing inline, so 'self' is all scripts and styles need
 * (views set styles through CSSOM, which CSP does not restrict). Media is WebRTC MediaStreams (not
 * URLs) and recordings under /api. connect-src names wss: on our own host because Safari does not
 * count WebSockets as 'self'.
 */
export function contentSecurityPolicy(host: string | undefined): string {
  const websocket = host && PLAIN_HOST.test(host) ? ` wss://${host}` : ''
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "media-src 'self'",
    "font-src 'self'",
    `connect-src 'self'${websocket}`,
    "worker-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ')
}

/** Browser features: the meeting needs camera, microphone and screen sharing (here only); the rest are off. */
export const PERMISSIONS_POLICY = [
  'camera=(self)',
  'microphone=(self)',
  'display-capture=(self)',
  'fullscreen=(self)',
  'autoplay=(self)',
  'geolocation=()',
  'payment=()',
  'usb=()',
  'serial=()',
  'hid=()',
  'midi=()',
].join(', ')

/** Half a year; no includeSubDomains: other hosts of the organisation are not ours to decide for. */
const HSTS = 'max-age=15552000'

export default fp(
  async (app) => {
    // onSend runs for every answer sent through Fastify: routes, static files, errors and the 404 page.
    app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload) => {
      reply.header('content-security-policy', contentSecurityPolicy(request.host))
      reply.header('x-frame-options', 'DENY')
      reply.header('x-content-type-options', 'nosniff')
      reply.header('referrer-policy', 'same-origin')
      reply.header('permissions-policy', PERMISSIONS_POLICY)
      reply.header('cross-origin-opener-policy', 'same-origin')
      reply.header('cross-origin-resource-policy', 'same-origin')
      if (request.protocol === 'https') reply.header('strict-transport-security', HSTS)
      return payload
    })
  },
  { name: 'security-headers' },
)
