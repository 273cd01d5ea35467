// Request schemas of account administration and the audit log.
import { Type, type Static } from '@sinclair/typebox'
import { Password } from './schemas.ts'

export const UserParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) })
export type UserParams = Static<typeof UserParams>

export const RoleBody = Type.Object(
  { role: Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member')]) },
  { additionalProperties: false },
)
export type RoleBody = Static<typeof RoleBody>

export const PasswordBody = Type.Object({ password: Password }, { additionalProperties: false })
export type PasswordBody = Static<typeof PasswordBody>

export const AuditQuery = Type.Object(
  {
    /** An entry id from the previous page's `next`: entries older than it. */
    before: Type.Optional(Type.Integer({ minimum: 1 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
)
export type AuditQuery = Static<typeof AuditQuery>
