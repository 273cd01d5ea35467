// Offline verification of vendor tokens (license keys, activation certificates, update-package
// licenses, release manifests): EdDSA only, key id from the shipped keyring with the right purpose,
// header type checked, claims checked against their schema. "Not a token at all" is told apart from
// "a token that fails", and each failure has its own code and message.
import { compactVerify, decodeProtectedHeader } from 'jose'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import type { TSchema, Static } from '@sinclair/typebox'
import {
  ActivationClaims,
  EDITION,
  LicenseClaims,
  PRODUCT,
  ReleaseClaims,
  purposeOf,
  TokenTypes,
  UpdatePackageClaims,
  type TokenKind,
} from './claims.ts'
import { LicenseError } from './errors.ts'
import type { Keyring } from './keyring.ts'

const schemas = {
  license: LicenseClaims,
  activation: ActivationClaims,
  updatePackage: UpdatePackageClaims,
  release: ReleaseClaims,
} satisfies Record<TokenKind, TSchema>
type VerifiableKind = keyof typeof schemas
export type ClaimsOf<K extends VerifiableKind> = Static<(typeof schemas)[K]>

const checks = {
  license: TypeCompiler.Compile(LicenseClaims),
  activation: TypeCompiler.Compile(ActivationClaims),
  updatePackage: TypeCompiler.Compile(UpdatePackageClaims),
  release: TypeCompiler.Compile(ReleaseClaims),
}

const NAMES: Record<TokenKind, string> = {
  license: 'a license key',
  activation: 'an activation certificate',
  updatePackage: 'an update-package license',
  release: 'a release manifest',
}

/** A little leeway for clocks that differ between the vendor and the customer. */
export const CLOCK_LEEWAY_SECONDS = 300

/** normalizeToken removes what e-mail and copy-paste add: whitespace, line breaks, quotes. */
export function normalizeToken(text: string): string {
  return text.replace(/\s+/g, '').replace(/^["']|["']$/g, '')
}

export interface VerifyOptions {
  /** Unix seconds; defaults to now. */
  now?: number
}

/**
 * verifyToken checks `token` as a `kind` token and returns its claims.
 * Throws LicenseError with a code for every way it can fail; never returns unverified data.
 */
export async function verifyToken<K extends VerifiableKind>(
  kind: K,
  token: string,
  keyring: Keyring,
  options: VerifyOptions = {},
): Promise<ClaimsOf<K>> {
  const name = NAMES[kind]
  const compact = normalizeToken(token)
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(compact)) {
    throw new LicenseError('malformed', `this is not ${name}: expected three dot-separated base64url parts (copy the whole key)`)
  }
  let header: ReturnType<typeof decodeProtectedHeader>
  try {
    header = decodeProtectedHeader(compact)
  } catch {
    throw new LicenseError('malformed', `this is not ${name}: its header cannot be decoded (copy the whole key)`)
  }
  if (header.alg !== 'EdDSA' && header.alg !== 'Ed25519') {
    throw new LicenseError('alg_not_allowed', `${name} must be signed with EdDSA (Ed25519); this one says alg '${String(header.alg)}': it was not issued by the vendor`)
  }
  if (header.typ !== TokenTypes[kind]) {
    const actual = Object.entries(TokenTypes).find(([, typ]) => typ === header.typ)?.[0] as TokenKind | undefined
    throw new LicenseError('wrong_type', actual ? `this is ${NAMES[actual]}, not ${name}` : `this is not ${name} (type '${String(header.typ)}')`)
  }
  const kid = typeof header.kid === 'string' ? header.kid : ''
  const key = keyring.get(kid)
  if (!key) {
    throw new LicenseError('unknown_key', `${name} is signed by key id '${kid}', which this Veche release does not know: update Veche, or ask the vendor to re-issue it`)
  }
  if (key.status === 'retired') {
    throw new LicenseError('retired_key', `${name} is signed by key id '${kid}', which the vendor has retired: ask the vendor to re-issue it`)
  }
  if (key.purpose !== purposeOf[kind]) {
    throw new LicenseError('wrong_key_purpose', `${name} is signed by a ${key.purpose} key ('${kid}'), which cannot sign ${name}s`)
  }
  let payload: Uint8Array
  try {
    payload = (await compactVerify(compact, key.publicKey, { algorithms: ['EdDSA', 'Ed25519'] })).payload
  } catch {
    throw new LicenseError('bad_signature', `the signature of ${name} does not match its contents: it was altered or not issued by the vendor (copy it again from the original)`)
  }
  let claims: unknown
  try {
    claims = JSON.parse(new TextDecoder().decode(payload))
  } catch {
    throw new LicenseError('bad_claims', `${name} carries no readable claims`)
  }
  const c = claims as { product?: unknown; edition?: unknown; iat?: unknown }
  if (kind === 'license' && (c.product !== PRODUCT || c.edition !== EDITION)) {
    throw new LicenseError('wrong_product', `this key is for ${String(c.product)} ${String(c.edition)}, not ${PRODUCT} ${EDITION}`)
  }
  const check = checks[kind]
  if (!check.Check(claims)) {
    const e = check.Errors(claims).First()
    throw new LicenseError('bad_claims', `${name} has an invalid claim ${e?.path ?? ''}: ${e?.message ?? 'invalid'}`)
  }
  if (kind === 'license' && (claims as { kind?: unknown }).kind === 'development' && key.status !== 'test') {
    // Development licenses are made with the public test keys; one signed by a real key is not honest.
    throw new LicenseError('bad_claims', `a development license must be signed by a test key, not '${kid}': it is not a license a customer can hold`)
  }
  const now = options.now ?? Math.floor(Date.now() / 1000)
  const iat = (claims as { iat: number }).iat
  if (iat > now + CLOCK_LEEWAY_SECONDS) {
    throw new LicenseError(
      'issued_in_future',
      `${name} was issued at ${new Date(iat * 1000).toISOString()}, later than this machine's clock (${new Date(now * 1000).toISOString()}): set the correct time (timedatectl set-ntp true) and try again`,
    )
  }
  return claims as ClaimsOf<K>
}
