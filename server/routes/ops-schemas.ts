// Response schemas of the operations endpoints a monitor or `veche update` reads: /healthz and /readyz.
import { Type, type Static } from '@sinclair/typebox'
import { Closed } from './common-schemas.ts'
import { LicenseKind, LicenseStatus } from './license-schemas.ts'

export const HealthReply = Type.Object({ status: Type.Literal('ok'), version: Type.String() }, Closed)
export type HealthReply = Static<typeof HealthReply>

const check = { ok: Type.Boolean(), message: Type.Optional(Type.String()) }

/** /readyz answers this with 200 (ready) and 503 (not ready): `failing` names the checks that failed. */
export const ReadyReply = Type.Object(
  {
    status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
    version: Type.String(),
    failing: Type.Array(Type.String()),
    checks: Type.Object(
      {
        database: Type.Object(check, Closed),
        media: Type.Object({ ...check, workers: Type.Integer({ minimum: 0 }), alive: Type.Integer({ minimum: 0 }) }, Closed),
        license: Type.Object({ ...check, status: LicenseStatus, kind: Type.Optional(LicenseKind) }, Closed),
      },
      Closed,
    ),
  },
  Closed,
)
export type ReadyReply = Static<typeof ReadyReply>
