// Refuses cross-site use of the session: a page of another origin (another service on this host, a
// sibling intranet host of the same site) gets its requests sent with the employee's cookie, because
// SameSite=Lax only separates sites, not origins. So every state change and every WebSocket upgrade
// that names a foreign Origin is refused (403), and a state change carrying the session cookie must
// say it is JSON (415): a page can send JSON to another origin only after a CORS preflight, which this
// server never grants.
//
// Requests without an Origin header pass the origin check: browsers always send it on POST, PUT,
// PATCH, DELETE and WebSocket upgrades (Fetch standard), so its absence means a program (the CLI,
// curl, a monitoring probe) that holds its own credentials and cannot be steered by a web page.
import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { sendError } from '../http-errors.ts'
import { SESSION_COOKIE } from './auth.ts'

export interface SameOriginOptions {
  /** server.publicUrl: the address employees open when a proxy stands in front; '' when none. */
  publicUrl: string
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** originOf normalises a URL or Origin value to scheme://host[:port] (lower case, default port dropped), or null. */
export function originOf(value: string): string | null {
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : null
  } catch {
    return null
  }
}

/**
 * ownOrigins lists the origins whose pages are this server's: the configured public URL, and the
 * address the request itself was sent to (its Host, or X-Forwarded-Host from a trusted proxy), which is
 * exactly what the browser's address bar shows when a page of ours makes the request. The certificate's
 * names need no list of their own: a browser reaching us by one of them sends it as the Host.
 */
export function ownOrigins(request: FastifyRequest, publicOrigin: string | null): string[] {
  const own = publicOrigin ? [publicOrigin] : []
  const served = request.host ? originOf(`${request.protocol}://${request.host}`) : null
  if (served) own.push(served)
  return own
}

/** isJson tells whether a Content-Type header names JSON (parameters such as charset allowed). */
export function isJson(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json'
}

export default fp<SameOriginOptions>(
  async (app, { publicUrl }) => {
    const publicOrigin = publicUrl ? originOf(publicUrl) : null

    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const upgrade = request.headers.upgrade?.toLowerCase() === 'websocket'
      const changes = !SAFE_METHODS.has(request.method)
      if (!upgrade && !changes) return
      const origin = request.headers.origin
      if (origin !== undefined) {
        const own = ownOrigins(request, publicOrigin)
        if (!own.includes(originOf(origin) ?? '')) {
          // Info, not warn: every request is already logged once, so this adds no flood of its own.
          request.log.info({ origin, own, url: request.url }, 'refused a request from another origin')
          return sendError(
            reply,
            403,
            'foreign_origin',
            `requests from pages of ${origin.slice(0, 200)} are refused; only this server's own pages (${own.join(', ')}) may do this. ` +
              'If that is the address people open, set server.publicUrl to it',
          )
        }
      }
      if (changes && request.cookies[SESSION_COOKIE] !== undefined && !isJson(request.headers['content-type'])) {
        return sendError(
          reply,
          415,
          'json_required',
          `${request.method} with a session cookie must be sent with Content-Type: application/json (an empty body is fine)`,
        )
      }
    })

    // A bodyless state change says it is JSON (above); Fastify's own parser would answer an empty JSON
    // body with 400, so an empty body is read as no body. Anything else goes through Fastify's parser,
    // which keeps its __proto__ and constructor poisoning protection.
    const defaultJson = app.getDefaultJsonParser('error', 'error')
    app.removeContentTypeParser('application/json')
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      const text = body.toString() // parseAs 'string': always a string already
      if (text === '') return done(null, undefined)
      defaultJson(request, text, done)
    })
  },
  { name: 'same-origin', dependencies: ['auth'] },
)
