// Issues the vendor's tokens: license keys, update-package licenses, activation certificates. Each is a
// compact JWS signed with a key of the matching purpose, claims exactly as claims.ts defines them.
import { randomBytes } from 'node:crypto'
import { CompactSign } from 'jose'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import type { TSchema } from '@sinclair/typebox'
import {
  ActivationClaims,
  APPLIANCE_AUDIENCE,
  EDITION,
  FEATURES,
  LicenseClaims,
  PRODUCT,
  purposeOf,
  ReleaseClaims,
  TokenTypes,
  UpdatePackageClaims,
  VENDOR_ISSUER,
  type Feature,
  type LicenseId,
  type TokenKind,
} from '../claims.ts'
import { addMonths, isoDay, nowSeconds } from './dates.ts'
import { VendorError } from './errors.ts'
import { withArticle, type SigningKey } from './signing-keys.ts'

/** How long a perpetual license receives updates when the spec does not say. */
export const DEFAULT_UPDATE_MONTHS = 12

/** newLicenseId returns `lic_` + 128 random bits, base64url. */
export const newLicenseId = (): LicenseId => `lic_${randomBytes(16).toString('base64url')}`
/** newUpdatePackageId returns `upd_` + 128 random bits, base64url. */
export const newUpdatePackageId = (): string => `upd_${randomBytes(16).toString('base64url')}`

/** What the vendor decides when selling a license; issueLicense fills in the rest. */
export interface LicenseSpec {
  licensee: { name: string; taxId?: string | undefined }
  plan: string
  limits: { rooms: number; participantsPerRoom: number; internalUsers: number }
  features?: Feature[]
  term: 'perpetual' | 'subscription'
  /** Subscription end (exclusive), unix seconds; required for subscriptions, refused for perpetual. */
  termEnd?: number | undefined
  /** Defaults: perpetual, issue date + 12 months; subscription, termEnd. */
  updatesUntil?: number | undefined
  /** Machines that may activate it; default 1. */
  activations?: number | undefined
  /** Defaults to newLicenseId(). */
  id?: LicenseId
  /** Absent for a sold license; an evaluation key is always a subscription (it ends). */
  kind?: LicenseClaims['kind']
}

export interface IssueOptions {
  /** The issue time (`iat`), unix seconds; defaults to now. */
  now?: number
}

export interface Issued<C> {
  token: string
  claims: C
}

const compiled = {
  license: TypeCompiler.Compile(LicenseClaims),
  updatePackage: TypeCompiler.Compile(UpdatePackageClaims),
  activation: TypeCompiler.Compile(ActivationClaims),
  release: TypeCompiler.Compile(ReleaseClaims),
}

const badSpec = (message: string) => new VendorError('bad_spec', message)

function wholeAtLeast(value: number | undefined, min: number, what: string): number {
  if (value === undefined || !Number.isInteger(value) || value < min) {
    throw badSpec(`${what} must be a whole number of at least ${min} (got ${String(value)})`)
  }
  return value
}

/**
 * sign makes the compact JWS of `claims` as a `kind` token. Throws VendorError key_purpose when `key`
 * may not sign that kind (the appliance would refuse it), and bad_spec when the claims do not match
 * their schema (a bug here: the appliance would refuse it too).
 */
async function sign(kind: TokenKind & keyof typeof compiled, claims: object, key: SigningKey): Promise<string> {
  if (key.purpose !== purposeOf[kind]) {
    throw new VendorError('key_purpose', `key ${key.kid} is ${withArticle(key.purpose)} signing key; ${kind} tokens need ${withArticle(purposeOf[kind])} signing key`)
  }
  const check: TypeCheck<TSchema> = compiled[kind]
  if (!check.Check(claims)) {
    const e = check.Errors(claims).First()
    throw badSpec(`the ${kind} claims are invalid at ${e?.path ?? '/'}: ${e?.message ?? 'invalid'}`)
  }
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: TokenTypes[kind] })
    .sign(key.privateKey)
}

/**
 * issueLicense validates `spec`, fills in the defaults and returns the signed license key with its
 * claims. Throws VendorError bad_spec with what to correct, or key_purpose for a non-license key.
 */
export async function issueLicense(spec: LicenseSpec, key: SigningKey, options: IssueOptions = {}): Promise<Issued<LicenseClaims>> {
  const iat = options.now ?? nowSeconds()
  const name = spec.licensee.name.trim()
  if (!name) throw badSpec('the licensee needs a name (--licensee "Company LLC")')
  const taxId = spec.licensee.taxId?.trim()
  if (!spec.plan.trim()) throw badSpec('the license needs a plan name (--plan)')
  const limits = {
    rooms: wholeAtLeast(spec.limits.rooms, 1, 'rooms'),
    // One person is not a meeting: a room must admit at least two.
    participantsPerRoom: wholeAtLeast(spec.limits.participantsPerRoom, 2, 'participants per room'),
    internalUsers: wholeAtLeast(spec.limits.internalUsers, 1, 'internal users'),
  }
  const features = spec.features ?? []
  for (const f of features) {
    if (!FEATURES.includes(f)) throw badSpec(`unknown feature '${f}': use one of ${FEATURES.join(', ')}`)
  }
  if (spec.term !== 'perpetual' && spec.term !== 'subscription') {
    throw badSpec(`term must be perpetual or subscription (got '${String(spec.term)}')`)
  }
  if (spec.term === 'perpetual' && spec.termEnd !== undefined) {
    throw badSpec('a perpetual license has no end date: drop --until, or use --term subscription')
  }
  if (spec.term === 'subscription') {
    if (spec.termEnd === undefined) throw badSpec('a subscription needs its end date: add --until YYYY-MM-DD')
    if (!Number.isInteger(spec.termEnd) || spec.termEnd <= iat) {
      throw badSpec(`the subscription would end ${isoDay(spec.termEnd)}, which is not in the future: check --until`)
    }
  }
  if (spec.kind === 'evaluation' && spec.term !== 'subscription') throw badSpec('an evaluation key must end: issue it as a subscription')
  const updatesUntil = spec.updatesUntil ?? (spec.term === 'subscription' ? spec.termEnd! : addMonths(iat, DEFAULT_UPDATE_MONTHS))
  if (!Number.isInteger(updatesUntil) || updatesUntil <= iat) {
    throw badSpec(`updates would end ${isoDay(updatesUntil)}, before the license is issued: check --updates-until`)
  }
  const claims: LicenseClaims = {
    iss: VENDOR_ISSUER,
    aud: APPLIANCE_AUDIENCE,
    iat,
    sub: spec.id ?? newLicenseId(),
    product: PRODUCT,
    edition: EDITION,
    licensee: taxId ? { name, taxId } : { name },
    plan: spec.plan.trim(),
    limits,
    features: [...new Set(features)],
    term: spec.term,
    ...(spec.term === 'subscription' ? { termEnd: spec.termEnd! } : {}),
    updatesUntil,
    activations: wholeAtLeast(spec.activations ?? 1, 1, 'activations'),
    ...(spec.kind ? { kind: spec.kind } : {}),
  }
  return { token: await sign('license', claims, key), claims }
}

export interface UpdatePackageSpec {
  licenseId: LicenseId
  /** The new end of updates, unix seconds. */
  updatesUntil: number
  /** Defaults to newUpdatePackageId(). */
  id?: string
}

/**
 * issueUpdatePackage returns a signed update-package license extending `updatesUntil` of one license.
 * Throws VendorError bad_spec or key_purpose.
 */
export async function issueUpdatePackage(
  spec: UpdatePackageSpec,
  key: SigningKey,
  options: IssueOptions = {},
): Promise<Issued<UpdatePackageClaims>> {
  const iat = options.now ?? nowSeconds()
  if (!Number.isInteger(spec.updatesUntil) || spec.updatesUntil <= iat) {
    throw badSpec(`updates would end ${isoDay(spec.updatesUntil)}, which is not in the future: check --updates-until`)
  }
  const claims: UpdatePackageClaims = {
    iss: VENDOR_ISSUER,
    aud: APPLIANCE_AUDIENCE,
    iat,
    sub: spec.licenseId,
    jti: spec.id ?? newUpdatePackageId(),
    updatesUntil: spec.updatesUntil,
  }
  return { token: await sign('updatePackage', claims, key), claims }
}

/** What an activation certificate states; iss/aud/iat are set by issueActivationCertificate. */
export type CertificateSpec = Omit<ActivationClaims, 'iss' | 'aud' | 'iat'>

/**
 * issueActivationCertificate returns a signed activation certificate. Throws VendorError key_purpose
 * for a non-activation key, bad_spec for claims outside the schema.
 */
export async function issueActivationCertificate(
  spec: CertificateSpec,
  key: SigningKey,
  options: IssueOptions = {},
): Promise<Issued<ActivationClaims>> {
  const claims: ActivationClaims = {
    iss: VENDOR_ISSUER,
    aud: APPLIANCE_AUDIENCE,
    iat: options.now ?? nowSeconds(),
    sub: spec.sub,
    activationId: spec.activationId,
    fingerprint: spec.fingerprint,
    activatedAt: spec.activatedAt,
    nonce: spec.nonce,
  }
  return { token: await sign('activation', claims, key), claims }
}

/** What a release manifest states; iss/aud/iat/product are set by signReleaseManifest. */
export type ManifestSpec = Omit<ReleaseClaims, 'iss' | 'aud' | 'iat' | 'product'>

/**
 * signReleaseManifest returns the signed manifest of a distribution kit. Throws VendorError
 * key_purpose for a key that is not a release key (a license key must never sign a release).
 */
export async function signReleaseManifest(spec: ManifestSpec, key: SigningKey, options: IssueOptions = {}): Promise<Issued<ReleaseClaims>> {
  const claims: ReleaseClaims = { iss: VENDOR_ISSUER, aud: APPLIANCE_AUDIENCE, iat: options.now ?? nowSeconds(), product: PRODUCT, ...spec }
  return { token: await sign('release', claims, key), claims }
}
