// HTTP for talking to the OpenID provider. Every call (discovery, token, userinfo, JWKS) must trust the
// CA the operator names, and Node's built-in fetch takes no CA without the undici package, so requests
// go through node:https and come back as a web Response (the shape jose's customFetch also takes).
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { Agent, request as httpsRequest } from 'node:https'
import { getCACertificates } from 'node:tls'
import { readFileSync } from 'node:fs'

export interface FetchInit {
  method?: string
  headers?: Headers | Record<string, string>
  body?: string
  signal?: AbortSignal
  /** Accepted for jose's sake; redirects are never followed. */
  redirect?: string
}

/** A fetch restricted to what the OIDC client needs: no redirects, bounded size and time. */
export type Fetch = (url: string, init?: FetchInit) => Promise<Response>

/** Answers larger than this are refused: discovery documents and key sets are a few KiB. */
const MAX_BODY_BYTES = 1024 * 1024
const TIMEOUT_MS = 10_000

/**
 * trustedCas returns the CA certificates (PEM) to verify the provider with: those in `caFile`, or,
 * when it is empty, Node's bundled CAs plus the operating system's (where an internal CA usually is).
 * Throws naming the config key when the file cannot be read or holds no certificate.
 */
export function trustedCas(caFile: string): string[] {
  if (caFile === '') return [...new Set([...getCACertificates('default'), ...getCACertificates('system')])]
  let text: string
  try {
    text = readFileSync(caFile, 'utf8')
  } catch (err) {
    throw new Error(`cannot read oidc.caFile ${caFile}: ${(err as Error).message}`)
  }
  const pems = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)
  if (!pems) throw new Error(`oidc.caFile ${caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`)
  return pems
}

const NULL_BODY_STATUS = new Set([204, 205, 304])

function toHeaders(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers()
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v)
  }
  return headers
}

/** createFetch returns a Fetch whose HTTPS requests trust exactly `ca` (PEM certificates). */
export function createFetch(ca: string[]): Fetch {
  // No keep-alive: a sign-in makes a handful of requests, and idle sockets would outlive the app.
  const agent = new Agent({ ca, keepAlive: false })
  return (url, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const target = new URL(url)
      const secure = target.protocol === 'https:'
      if (!secure && target.protocol !== 'http:') return reject(new TypeError(`unsupported URL scheme in ${url}`))
      const headers = Object.fromEntries(new Headers(init.headers).entries())
      if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body))
      const send = secure ? httpsRequest : httpRequest
      const options = { method: init.method ?? 'GET', headers, timeout: TIMEOUT_MS, ...(init.signal ? { signal: init.signal } : {}) }
      const req = send(target, secure ? { ...options, agent } : options, (res) => {
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > MAX_BODY_BYTES) req.destroy(new Error(`the answer from ${target.origin} is larger than 1 MiB`))
          else chunks.push(chunk)
        })
        res.on('error', reject)
        res.on('end', () => {
          const status = res.statusCode ?? 0
          if (status < 200 || status > 599) return reject(new Error(`unexpected HTTP status ${status} from ${target.origin}`))
          const body = NULL_BODY_STATUS.has(status) ? null : new Uint8Array(Buffer.concat(chunks))
          resolve(new Response(body, { status, statusText: res.statusMessage ?? '', headers: toHeaders(res.headers) }))
        })
      })
      req.on('timeout', () => req.destroy(new Error(`no answer from ${target.origin} within ${TIMEOUT_MS / 1000} s`)))
      req.on('error', reject)
      req.end(init.body)
    })
}
