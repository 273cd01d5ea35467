// Offline verification of vendor tokens (license keys, activation certificates, update-package
// licenses, release manifests): EdDSA only, key id from the shipped keyring with the right purpose,
// header type checked, claims checked against their schema. "Not a token at all" is told apart from
// "a token that fails", and each failure has its own code and message.
import { compactVerify, decodeProtectedHeader } from 'jose'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors'
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
  type KeyPurpose,
  type TokenKind,
} from './claims.ts'
import { extractToken } from './armor.ts'
import { LicenseError } from './errors.ts'
import type { Keyring } from './keyring.ts'
import { formatBytes, jsonDepthExceeds, MAX_HEADER_CHARS, MAX_JSON_DEPTH, MAX_TEXT_BYTES, MAX_TOKEN_BYTES } from './limits.ts'

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

/** What each kind of vendor key signs, for messages about a key used for the wrong thing. */
const SIGNS: Record<KeyPurpose, string> = {
  license: 'license keys and update-package licenses',
  activation: 'activation certificates',
  release: 'release manifests',
}

/** Where each kind of token goes, for a message about one given where another was expected. */
const USE: Record<TokenKind, string> = {
  license: 'activate it with `veche activate <key>`, or install a renewal with `veche license install <key>`',
  activation: 'finish an offline activation with it: `veche activate --certificate <file>`',
  updatePackage: 'install it with `veche license install-update-package <file>`',
  release: 'it belongs inside a distribution kit',
}

const day = (unix: number): string => new Date(unix * 1000).toISOString().slice(0, 10)

/**
 * normalizeToken returns the one token in `text` (armor, mail text, line breaks, "> " quotes and
 * quotation marks removed), or `text` unchanged when it holds none or several, so that verifyToken
 * refuses it with the reason.
 */
export function normalizeToken(text: string): string {
  if (text.length > MAX_TEXT_BYTES.release) return text
  try {
    return extractToken(text, 'a key')
  } catch {
    return text
  }
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
  // Sizes first, before anything is decoded or even searched.
  const textBytes = Buffer.byteLength(token)
  if (textBytes > MAX_TEXT_BYTES[kind]) {
    throw new LicenseError(
      'too_large',
      `this is not ${name}: it is ${formatBytes(textBytes)}, and ${name} with any e-mail text around it is at most ${formatBytes(MAX_TEXT_BYTES[kind])} (copy only the key)`,
    )
  }
  const compact = extractToken(token, name)
  if (compact.length > MAX_TOKEN_BYTES[kind]) {
    throw new LicenseError(
      'too_large',
      `${name} is at most ${formatBytes(MAX_TOKEN_BYTES[kind])}; this one is ${formatBytes(compact.length)}: it is not one the vendor issues, ask the vendor for a new one`,
    )
  }
  let header: ReturnType<typeof decodeProtectedHeader>
  try {
    if (compact.indexOf('.') > MAX_HEADER_CHARS) throw new Error('header too long')
    header = decodeProtectedHeader(compact)
  } catch {
    throw new LicenseError('malformed', `this is not ${name}: its header cannot be decoded (copy the whole key)`)
  }
  if (header.alg !== 'EdDSA' && header.alg !== 'Ed25519') {
    throw new LicenseError('alg_not_allowed', `${name} must be signed with EdDSA (Ed25519); this one says alg '${String(header.alg)}': it was not issued by the vendor`)
  }
  if (header.typ !== TokenTypes[kind]) {
    const actual = Object.entries(TokenTypes).find(([, typ]) => typ === header.typ)?.[0] as TokenKind | undefined
    throw new LicenseError(
      'wrong_type',
      actual ? `this is ${NAMES[actual]}, not ${name}: ${USE[actual]}` : `this is not ${name} (its type is '${String(header.typ)}', not a Veche token): ask the vendor for ${name}`,
    )
  }
  if (typeof header.kid !== 'string' || header.kid === '') {
    throw new LicenseError('unknown_key', `${name} must name the vendor key that signed it, and this one has no key id (kid): it is not a Veche key, ask the vendor for ${name}`)
  }
  const kid = header.kid
  const key = keyring.get(kid)
  if (!key) {
    throw new LicenseError('unknown_key', `${name} is signed by key id '${kid}', which this Veche release does not know: update Veche, or ask the vendor to re-issue it`)
  }
  if (key.status === 'retired') {
    throw new LicenseError('retired_key', `${name} is signed by key id '${kid}', which the vendor has retired: ask the vendor to re-issue it`)
  }
  if (key.purpose !== purposeOf[kind]) {
    throw new LicenseError(
      'wrong_key_purpose',
      `${name} must be signed with the vendor's ${purposeOf[kind]} signing key, but this one is signed with its ${key.purpose} signing key '${kid}', which signs only ${SIGNS[key.purpose]}: ask the vendor to re-issue it`,
    )
  }
  // A header parameter listed as critical must be understood; jose is told to let it pass only so that
  // the signature is still checked first (an altered key is reported as altered).
  const crit = Array.isArray(header.crit) ? header.crit.filter((p): p is string => typeof p === 'string' && p !== '') : []
  let payload: Uint8Array
  try {
    const options = { algorithms: ['EdDSA', 'Ed25519'], ...(crit.length ? { crit: Object.fromEntries(crit.map((p) => [p, false])) } : {}) }
    payload = (await compactVerify(compact, key.publicKey, options)).payload
  } catch {
    throw new LicenseError('bad_signature', `the signature of ${name} does not match its contents: it was altered or not issued by the vendor (copy it again from the original)`)
  }
  if (crit.length) {
    throw new LicenseError(
      'unsupported',
      `${name} uses a feature this version of Veche does not understand (${crit.join(', ')}): update Veche, or ask the vendor for a key this version accepts`,
    )
  }
  const text = new TextDecoder().decode(payload)
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
    throw new LicenseError('bad_claims', `the claims of ${name} nest deeper than ${MAX_JSON_DEPTH} levels, which no Veche token does: ask the vendor to re-issue it`)
  }
  let claims: unknown
  try {
    claims = JSON.parse(text)
  } catch {
    throw new LicenseError('bad_claims', `${name} carries no readable claims: ask the vendor to re-issue it`)
  }
  const c = (typeof claims === 'object' && claims !== null ? claims : {}) as { product?: unknown; edition?: unknown }
  if (kind === 'license' && (c.product !== PRODUCT || c.edition !== EDITION)) {
    const what = typeof c.product === 'string' ? `${c.product}${typeof c.edition === 'string' ? ` ${c.edition}` : ''}` : 'another product'
    throw new LicenseError('wrong_product', `this key is for ${what}, not ${PRODUCT} ${EDITION}: ask the vendor for a ${PRODUCT} ${EDITION} key`)
  }
  const check = checks[kind]
  if (!check.Check(claims)) throw claimError(name, check.Errors(claims).First())
  if (kind === 'license' && (claims as { kind?: unknown }).kind === 'development' && key.status !== 'test') {
    // Development licenses are made with the public test keys; one signed by a real key is not honest.
    throw new LicenseError('bad_claims', `a development license must be signed by a test key, not '${kid}': it is not a license a customer can hold`)
  }
  const now = options.now ?? Math.floor(Date.now() / 1000)
  const { iat, nbf } = claims as { iat: number; nbf?: number }
  if (nbf !== undefined && nbf > now + CLOCK_LEEWAY_SECONDS) {
    throw new LicenseError(
      'not_yet_valid',
      `this key is valid from ${day(nbf)}: ${name} cannot be used before ${new Date(nbf * 1000).toISOString()} (this machine's clock reads ${new Date(now * 1000).toISOString()}); ` +
        'install it on or after that day, or set the correct time (timedatectl set-ntp true) if the clock is wrong',
    )
  }
  if (iat > now + CLOCK_LEEWAY_SECONDS) {
    throw new LicenseError(
      'issued_in_future',
      `${name} was issued at ${new Date(iat * 1000).toISOString()}, later than this machine's clock (${new Date(now * 1000).toISOString()}): set the correct time (timedatectl set-ntp true) and try again`,
    )
  }
  return claims as ClaimsOf<K>
}

/**
 * claimError turns the first schema error into a refusal that says what is wrong in words: an unknown
 * claim is a newer vendor's (update Veche), a value outside a list names the list.
 */
function claimError(name: string, e: ValueError | undefined): LicenseError {
  if (!e) return new LicenseError('bad_claims', `${name} has invalid claims: ask the vendor to re-issue it`)
  const path = e.path || '/'
  if (e.type === ValueErrorType.ObjectAdditionalProperties) {
    return new LicenseError(
      'unsupported',
      `${name} carries a claim ${path} that this version of Veche does not understand: update Veche, or ask the vendor for a key this version accepts`,
    )
  }
  const allowed = (e.schema as { anyOf?: { const?: unknown }[] }).anyOf?.map((s) => s.const)
  if (allowed?.length && allowed.every((v) => typeof v === 'string')) {
    return new LicenseError(
      'bad_claims',
      `${name} has ${path} '${String(e.value)}', which this version of Veche does not know (it knows ${allowed.join(', ')}): update Veche, or ask the vendor to re-issue the key`,
    )
  }
  const value = typeof e.value === 'string' || typeof e.value === 'number' ? ` (${JSON.stringify(e.value).slice(0, 40)})` : ''
  return new LicenseError('bad_claims', `${name} has an invalid claim ${path}${value}: ${e.message.toLowerCase()}; ask the vendor to re-issue it`)
}
