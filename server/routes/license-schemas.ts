// Request and response schemas of the license as the web client sees it, and of activation from the browser.
import { Type, type Static } from '@sinclair/typebox'
import { MAX_TEXT_BYTES } from '../../license-keys/limits.ts'
import { Closed, Nullable } from './common-schemas.ts'

// Room for a key pasted with the e-mail around it; the key itself is bounded again when verified.
export const KeyBody = Type.Object({ key: Type.String({ minLength: 1, maxLength: MAX_TEXT_BYTES.license }) }, Closed)
export type KeyBody = Static<typeof KeyBody>

export const LicenseStatus = Type.Union([Type.Literal('unlicensed'), Type.Literal('active'), Type.Literal('suspended'), Type.Literal('invalid')])
export type LicenseStatus = Static<typeof LicenseStatus>

/** commercial: a sold key; evaluation: the vendor's trial key; development: `veche serve --dev`. */
export const LicenseKind = Type.Union([Type.Literal('commercial'), Type.Literal('evaluation'), Type.Literal('development')])
export type LicenseKind = Static<typeof LicenseKind>

/** GET /api/license/kind, public: every page shows a development license's banner. */
export const LicenseKindReply = Type.Object({ kind: Nullable(LicenseKind) }, Closed)
export type LicenseKindReply = Static<typeof LicenseKindReply>

const Problem = Type.Object({ code: Type.String(), message: Type.String() }, Closed)
const UnixSeconds = Type.Integer({ minimum: 0 })

/** GET /api/license: members get status, problem and features; owners and admins also the optional rest. */
export const LicenseInfo = Type.Object(
  {
    status: LicenseStatus,
    problem: Nullable(Problem),
    features: Type.Array(Type.String()),
    kind: Type.Optional(Nullable(LicenseKind)),
    warnings: Type.Optional(Type.Array(Type.Object({ code: Type.String(), daysLeft: Type.Integer(), message: Type.String() }, Closed))),
    licenseId: Type.Optional(Nullable(Type.String())),
    licensee: Type.Optional(Nullable(Type.Object({ name: Type.String(), taxId: Type.Optional(Type.String()) }, Closed))),
    plan: Type.Optional(Nullable(Type.String())),
    limits: Type.Optional(
      Nullable(Type.Object({ rooms: Type.Integer(), participantsPerRoom: Type.Integer(), internalUsers: Type.Integer() }, Closed)),
    ),
    usage: Type.Optional(Type.Object({ rooms: Type.Integer({ minimum: 0 }), internalUsers: Type.Integer({ minimum: 0 }) }, Closed)),
    term: Type.Optional(Nullable(Type.Union([Type.Literal('perpetual'), Type.Literal('subscription')]))),
    termEnd: Type.Optional(Nullable(UnixSeconds)),
    /** The key's updates-until, or a later update package's. */
    updatesUntil: Type.Optional(Nullable(UnixSeconds)),
    /** How many machines may activate this license. */
    activations: Type.Optional(Nullable(Type.Integer())),
    activation: Type.Optional(
      Nullable(
        Type.Object(
          {
            activationId: Type.String(),
            activatedAt: UnixSeconds,
            fingerprintOk: Type.Boolean(),
            /** Names of the machine's fingerprint parts that differ from the activation's. */
            fingerprintChanged: Type.Array(Type.String()),
          },
          Closed,
        ),
      ),
    ),
    /** The running release. */
    version: Type.Optional(Type.String()),
    /** When the license was last evaluated. */
    checkedAt: Type.Optional(UnixSeconds),
  },
  Closed,
)
export type LicenseInfo = Static<typeof LicenseInfo>
