// The one error a directory sign-in throws: the directory could not give an answer (unreachable,
// untrusted certificate, too slow, or configured wrongly). A wrong password is not an error: it is an
// answer (null). Sign-in turns this into 503; the message is for the log and names what to fix.
import { ResultCodeError } from 'ldapts'

export type DirectoryProblem = 'unreachable' | 'tls' | 'timeout' | 'misconfigured'

export class DirectoryError extends Error {
  override name = 'DirectoryError'
  readonly problem: DirectoryProblem

  constructor(problem: DirectoryProblem, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.problem = problem
  }
}

/** Node's names for a certificate it does not trust, or one that does not name the server. */
const CERTIFICATE_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
])

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE'])

/**
 * directoryError explains what went wrong during `doing` (e.g. "the user search under ldap.searchBase") with the
 * directory at `url`, naming the setting that fixes it.
 */
export function directoryError(err: unknown, url: string, doing: string): DirectoryError {
  if (err instanceof DirectoryError) return err
  const e = err as { code?: unknown; message?: unknown }
  const message = typeof e.message === 'string' ? e.message : String(err)
  const code = typeof e.code === 'string' ? e.code : undefined
  if (err instanceof ResultCodeError) {
    // ldapts names the result by its class (InvalidCredentialsError) and appends "Code: 0x31" to the
    // server's diagnostic text, which is often empty.
    const result = err.constructor.name.replace(/Error$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()
    const diagnostic = message.replace(/\s*Code: 0x[0-9a-f]+\s*$/i, '').trim()
    const why = `${result}${diagnostic ? ` (${diagnostic})` : ''}, LDAP result ${err.code}`
    return new DirectoryError('misconfigured', `the directory at ${url} refused ${doing}: ${why}`, { cause: err })
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const fix = 'use a host name the certificate lists'
    return new DirectoryError('tls', `the directory's TLS certificate does not name the host in ldap.url (${message}): ${fix}`, { cause: err })
  }
  if ((code && CERTIFICATE_CODES.has(code)) || /certificate/i.test(message)) {
    return new DirectoryError(
      'tls',
      `the directory's TLS certificate at ${url} is not trusted (${message}): set ldap.caFile to the PEM of the CA that signed it`,
      { cause: err },
    )
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long|before secure TLS connection/i.test(message)) {
    const fix = "ldaps:// needs the directory's TLS port (usually 636); for port 389 use ldap:// with ldap.startTls"
    return new DirectoryError('tls', `no TLS at ${url} (${message}): ${fix}`, { cause: err })
  }
  if (/Operation timed out|Connection timeout/i.test(message)) {
    return new DirectoryError('timeout', `the directory at ${url} did not answer in time during ${doing} (ldap.timeoutSeconds)`, { cause: err })
  }
  // ldapts says only this when the connection drops before any answer (a host that refuses or resets
  // it): the fault is the address, not the request that happened to be first.
  if ((code && UNREACHABLE_CODES.has(code)) || /Connection closed before message response/i.test(message)) {
    return new DirectoryError('unreachable', `cannot reach the directory at ${url}: ${message}; check ldap.url and the network`, { cause: err })
  }
  return new DirectoryError('unreachable', `the directory at ${url} failed during ${doing}: ${message}`, { cause: err })
}
