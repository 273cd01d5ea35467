// The contract between the vendor and the appliance: what each signed token says. Imports nothing of ours.
// Four token types, each a compact JWS (EdDSA / Ed25519) whose header `typ` names it, signed by a key
// whose `purpose` matches, so no token can stand in for another.
import { Type, type Static } from '@sinclair/typebox'

export const PRODUCT = 'veche'
export const EDITION = 'server'
/** `iss` of every vendor token. */
export const VENDOR_ISSUER = 'veche-vendor'
/** `aud` of every token meant for the appliance. */
export const APPLIANCE_AUDIENCE = 'veche-server'

export const TokenTypes = {
  license: 'veche-license+jwt',
  activation: 'veche-activation+jwt',
  updatePackage: 'veche-update-package+jwt',
  release: 'veche-release+jwt',
} as const
export type TokenKind = keyof typeof TokenTypes

/** Which tokens a vendor key may sign. */
export type KeyPurpose = 'license' | 'activation' | 'release'
export const purposeOf: Record<TokenKind, KeyPurpose> = {
  license: 'license',
  updatePackage: 'license',
  activation: 'activation',
  release: 'release',
}

export const FEATURES = ['recording', 'streaming', 'sso', 'sip'] as const
export type Feature = (typeof FEATURES)[number]

export const LICENSE_KINDS = ['evaluation', 'development'] as const

/** The files a release manifest may list: a kit holds ~5,000; ten times that leaves room to grow. */
export const MAX_RELEASE_FILES = 50_000

const UnixSeconds = Type.Integer({ minimum: 0 })
/** Every claims object refuses properties it does not define: a claim this version cannot read is not ignored. */
const Closed = { additionalProperties: false } as const
/** A machine fingerprint: a few hashed components by name (fingerprint.ts), nothing unbounded. */
const FingerprintSchema = Type.Record(Type.String({ pattern: '^[A-Za-z]{1,32}$' }), Type.String({ maxLength: 128 }), {
  maxProperties: 16,
  // Without it a Record lets names outside the pattern through.
  additionalProperties: false,
})
const LicenseIdSchema = Type.String({ pattern: '^lic_[A-Za-z0-9_-]{8,64}$' })

/** The claims of a license key (beyond iss/aud/iat, which every token has). */
export const LicenseClaims = Type.Object({
  iss: Type.Literal(VENDOR_ISSUER),
  aud: Type.Literal(APPLIANCE_AUDIENCE),
  iat: UnixSeconds,
  /** Not valid before this moment (unix seconds), when the vendor sells a key ahead of its start. */
  nbf: Type.Optional(UnixSeconds),
  /** The license id. */
  sub: LicenseIdSchema,
  product: Type.Literal(PRODUCT),
  edition: Type.Literal(EDITION),
  licensee: Type.Object(
    {
      name: Type.String({ minLength: 1, maxLength: 300 }),
      taxId: Type.Optional(Type.String({ maxLength: 32 })),
    },
    Closed,
  ),
  plan: Type.String({ minLength: 1, maxLength: 100 }),
  limits: Type.Object(
    {
      rooms: Type.Integer({ minimum: 1 }),
      participantsPerRoom: Type.Integer({ minimum: 2 }),
      internalUsers: Type.Integer({ minimum: 1 }),
    },
    Closed,
  ),
  features: Type.Array(Type.Union(FEATURES.map((f) => Type.Literal(f))), { uniqueItems: true }),
  term: Type.Union([Type.Literal('perpetual'), Type.Literal('subscription')]),
  /** Subscription end (exclusive), unix seconds; absent for perpetual keys. */
  termEnd: Type.Optional(UnixSeconds),
  /** Updates released on or before this moment may be installed. */
  updatesUntil: UnixSeconds,
  /** How many machines may activate this license. */
  activations: Type.Integer({ minimum: 1 }),
  /**
   * Absent for a sold license. `evaluation`: a time-limited trial key from the vendor. `development`:
   * made by `veche serve --dev` with the public test keys; verify.ts accepts it only under a test key.
   */
  kind: Type.Optional(Type.Union(LICENSE_KINDS.map((k) => Type.Literal(k)))),
}, Closed)
export type LicenseClaims = Static<typeof LicenseClaims>
/** What the appliance reports as the license's kind: `commercial` when the claims carry none. */
export type LicenseKind = (typeof LICENSE_KINDS)[number] | 'commercial'
export const licenseKindOf = (claims: Pick<LicenseClaims, 'kind'> | undefined): LicenseKind | undefined => (claims ? (claims.kind ?? 'commercial') : undefined)
export type LicenseId = LicenseClaims['sub']

/** The claims of an activation certificate: the vendor's word that this license runs on this machine. */
export const ActivationClaims = Type.Object({
  iss: Type.Literal(VENDOR_ISSUER),
  aud: Type.Literal(APPLIANCE_AUDIENCE),
  iat: UnixSeconds,
  sub: LicenseIdSchema,
  /** The activation record at the vendor (release it to move the license to another machine). */
  activationId: Type.String({ minLength: 1, maxLength: 64 }),
  /** Hashed fingerprint components, by component name. */
  fingerprint: FingerprintSchema,
  activatedAt: UnixSeconds,
  /** The appliance's random nonce from the request: a certificate answers one request only. */
  nonce: Type.String({ minLength: 16, maxLength: 128 }),
}, Closed)
export type ActivationClaims = Static<typeof ActivationClaims>

/** An update-package license: extends `updatesUntil` of one license. */
export const UpdatePackageClaims = Type.Object({
  iss: Type.Literal(VENDOR_ISSUER),
  aud: Type.Literal(APPLIANCE_AUDIENCE),
  iat: UnixSeconds,
  nbf: Type.Optional(UnixSeconds),
  sub: LicenseIdSchema,
  /** Unique id of this update-package license. */
  jti: Type.String({ minLength: 1, maxLength: 64 }),
  updatesUntil: UnixSeconds,
}, Closed)
export type UpdatePackageClaims = Static<typeof UpdatePackageClaims>

/** A release manifest: what a distribution kit holds, signed with a release key. */
export const ReleaseClaims = Type.Object({
  iss: Type.Literal(VENDOR_ISSUER),
  aud: Type.Literal(APPLIANCE_AUDIENCE),
  iat: UnixSeconds,
  product: Type.Literal(PRODUCT),
  /** Semantic version, e.g. 1.4.2. */
  version: Type.String({ pattern: '^\\d+\\.\\d+\\.\\d+$' }),
  releaseDate: UnixSeconds,
  /** The oldest installed version this kit may upgrade. */
  minUpgradeFrom: Type.String({ pattern: '^\\d+\\.\\d+\\.\\d+$' }),
  /** The database schema version (highest migration) of this release. */
  schemaVersion: Type.Integer({ minimum: 0 }),
  /** Every file of the kit, relative to its top folder: [size in bytes, sha256 hex]. */
  files: Type.Record(
    Type.String({ minLength: 1, maxLength: 1024 }),
    Type.Tuple([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^[0-9a-f]{64}$' })]),
    { maxProperties: MAX_RELEASE_FILES },
  ),
}, Closed)
export type ReleaseClaims = Static<typeof ReleaseClaims>

/** What the appliance sends to the activation service (online body, or the offline request file). */
export const ActivationRequest = Type.Object(
  {
    licenseKey: Type.String({ minLength: 1, maxLength: 16_384 }),
    fingerprint: FingerprintSchema,
    nonce: Type.String({ minLength: 16, maxLength: 128 }),
    hostname: Type.String({ maxLength: 255 }),
    product: Type.Literal(PRODUCT),
    version: Type.String({ maxLength: 64 }),
  },
  { additionalProperties: false },
)
export type ActivationRequest = Static<typeof ActivationRequest>

/** The activation service's answer: `{ certificate }` or an error `{ error: { code, message } }`. */
export interface ActivationResponse {
  certificate: string
}

export type ActivationErrorCode =
  | 'bad_request'
  | 'invalid_license'
  | 'revoked'
  | 'activation_limit'
  | 'unknown_license'

/** A vendor public key as the appliance trusts it. */
export interface TrustedKey {
  kid: string
  purpose: KeyPurpose
  /** `retired` keys verify nothing: tokens they signed must be re-issued. `test` keys are dev-only. */
  status: 'active' | 'retired' | 'test'
  /** Ed25519 public JWK: { kty: 'OKP', crv: 'Ed25519', x }. */
  jwk: { kty: 'OKP'; crv: 'Ed25519'; x: string }
}
