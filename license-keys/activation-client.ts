// The appliance's side of the one online moment: sends an activation request to the vendor's
// activation service and returns the certificate it answers with.
import type { ActivationRequest, ActivationResponse } from './claims.ts'
import { LicenseError } from './errors.ts'
import { formatBytes, MAX_TOKEN_BYTES } from './limits.ts'

export interface ActivationClientOptions {
  timeoutMs?: number
}

/** The service answers a certificate or a refusal, a few KiB; more than this is not the activation service. */
export const MAX_RESPONSE_BYTES = MAX_TOKEN_BYTES.activation + 8 * 1024

/** readBounded returns the body's text, or undefined as soon as it grows past `limit` bytes (the rest is not read). */
async function readBounded(res: Response, limit: number): Promise<string | undefined> {
  const declared = Number(res.headers.get('content-length') ?? 0)
  if (declared > limit || !res.body) {
    await res.body?.cancel()
    return declared > limit ? undefined : ''
  }
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    size += r.value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => {})
      return undefined
    }
    chunks.push(r.value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

const NETWORK_HINT =
  'this server must reach the vendor only while activating: allow HTTPS to it for a moment, or use `veche activate --offline`'

/**
 * requestActivation POSTs `request` to `<serviceUrl>/v1/activations` and returns the certificate text.
 * Throws LicenseError 'network' when the service cannot be reached in time, and 'activation_failed'
 * with the service's own message when it refuses.
 */
export async function requestActivation(
  serviceUrl: string,
  request: ActivationRequest,
  { timeoutMs = 15_000 }: ActivationClientOptions = {},
): Promise<string> {
  const url = new URL('v1/activations', serviceUrl.endsWith('/') ? serviceUrl : `${serviceUrl}/`)
  let res: Response
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } }
    const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : (e.cause?.code ?? e.cause?.message ?? e.message)
    throw new LicenseError('network', `cannot reach the activation service at ${url.origin} (${why}): ${NETWORK_HINT}`)
  }
  let body: unknown
  try {
    const text = await readBounded(res, MAX_RESPONSE_BYTES)
    if (text === undefined) {
      throw new LicenseError(
        'activation_failed',
        `the activation service at ${url.origin} answered more than ${formatBytes(MAX_RESPONSE_BYTES)} (HTTP ${res.status}), which no activation answer is: is activationUrl right?`,
      )
    }
    body = JSON.parse(text)
  } catch (err) {
    if (err instanceof LicenseError) throw err
    throw new LicenseError('network', `the activation service at ${url.origin} answered HTTP ${res.status} without JSON: is activationUrl right? ${NETWORK_HINT}`)
  }
  const answer = (typeof body === 'object' && body !== null ? body : {}) as Partial<ActivationResponse> & { error?: { message?: unknown } }
  if (!res.ok) {
    const message = answer.error?.message
    // Shown as is to the administrator: one line of printable text, not whatever the server sent.
    const shown = typeof message === 'string' ? message.replace(/[\p{Cc}]+/gu, ' ').slice(0, 1000) : `HTTP ${res.status}`
    throw new LicenseError('activation_failed', `the vendor refused the activation: ${shown}`)
  }
  const certificate = answer.certificate
  if (typeof certificate !== 'string') throw new LicenseError('activation_failed', 'the activation service answered without a certificate')
  return certificate
}
