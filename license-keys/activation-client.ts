// The appliance's side of the one online moment: sends an activation request to the vendor's
// activation service and returns the certificate it answers with.
import type { ActivationRequest, ActivationResponse } from './claims.ts'
import { LicenseError } from './errors.ts'

export interface ActivationClientOptions {
  timeoutMs?: number
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
    body = await res.json()
  } catch {
    throw new LicenseError('network', `the activation service at ${url.origin} answered HTTP ${res.status} without JSON: is activationUrl right? ${NETWORK_HINT}`)
  }
  if (!res.ok) {
    const error = (body as { error?: { code?: string; message?: string } }).error
    throw new LicenseError('activation_failed', `the vendor refused the activation: ${error?.message ?? `HTTP ${res.status}`}`)
  }
  const certificate = (body as Partial<ActivationResponse>).certificate
  if (typeof certificate !== 'string') throw new LicenseError('activation_failed', 'the activation service answered without a certificate')
  return certificate
}
