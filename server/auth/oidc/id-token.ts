// Verifies the provider's ID token: signature by the provider's published keys, issuer, audience,
// expiry, and the nonce this sign-in sent (OpenID Connect Core 3.1.3.7).
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose'
import { OidcError } from './errors.ts'

export interface IdTokenExpectations {
  issuer: string
  clientId: string
  nonce: string
  /** Signature algorithms from the provider's discovery document. */
  algorithms: string[]
}

/** Clocks of the provider and this server may differ a little. */
export const CLOCK_TOLERANCE_SECONDS = 60
/** The token was issued a moment ago, for this token request: an older one (or one from the future) is not. */
const MAX_TOKEN_AGE_SECONDS = 10 * 60

export type IdTokenClaims = JWTPayload & { sub: string }

/**
 * verifyIdToken returns the ID token's claims. Throws OidcError sso_failed naming the check that
 * refused it, or sso_unavailable when the provider's keys could not be fetched.
 */
export async function verifyIdToken(token: string, keys: JWTVerifyGetKey, expected: IdTokenExpectations, now?: Date): Promise<IdTokenClaims> {
  let payload: JWTPayload
  try {
    ;({ payload } = await jwtVerify(token, keys, {
      issuer: expected.issuer,
      audience: expected.clientId,
      algorithms: expected.algorithms,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      maxTokenAge: MAX_TOKEN_AGE_SECONDS,
      requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
      ...(now ? { currentDate: now } : {}),
    }))
  } catch (err) {
    if (err instanceof errors.JWKSTimeout || !(err instanceof errors.JOSEError)) {
      throw new OidcError('sso_unavailable', `cannot fetch the provider's signing keys: ${(err as Error).message}`, { cause: err })
    }
    throw new OidcError('sso_failed', `ID token refused (${err.code}): ${err.message}`, { cause: err })
  }
  if (typeof payload.sub !== 'string' || payload.sub === '') throw new OidcError('sso_failed', 'ID token refused: no subject (sub)')
  if (payload.nonce !== expected.nonce) throw new OidcError('sso_failed', 'ID token refused: its nonce is not the one this sign-in sent')
  // With several audiences the token must say it was issued to us (azp).
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud]
  if ((audiences.length > 1 || payload.azp !== undefined) && payload.azp !== expected.clientId) {
    throw new OidcError('sso_failed', `ID token refused: authorized party ${JSON.stringify(payload.azp)} is not ${expected.clientId}`)
  }
  return payload as IdTokenClaims
}
