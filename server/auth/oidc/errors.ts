// Why an OpenID Connect sign-in failed, as a stable code the sign-in page explains.

/**
 * - sso_unavailable: the provider could not be reached or its discovery document is unusable
 *   (the operator's problem: config or network).
 * - sso_denied: the provider answered the authorization request with an error (the user cancelled,
 *   or the provider refused this user or this client).
 * - sso_expired: the sign-in attempt is unknown, took longer than allowed, or was already used.
 * - sso_failed: anything else that must not sign anyone in (a refused code, a bad ID token).
 */
export type OidcErrorCode = 'sso_unavailable' | 'sso_denied' | 'sso_expired' | 'sso_failed'

/** OidcError carries a code for the user and a message for the log that names the cause. */
export class OidcError extends Error {
  override name = 'OidcError'
  readonly code: OidcErrorCode
  /** Where the user was going, once the failing sign-in is known (so the sign-in page can keep it). */
  next: string | undefined = undefined
  constructor(code: OidcErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
  }
}
