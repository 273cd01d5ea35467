// Response schemas of accounts: setup, sign-in, "who am I", account administration and the audit log.
// Requests: schemas.ts (sign-in, new owner, new user) and user-admin-schemas.ts.
import { Type, type Static } from '@sinclair/typebox'
import { Closed, Millis, Nullable } from './common-schemas.ts'

export const Role = Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member')])
export type Role = Static<typeof Role>

/** Where a user proves who they are: a password kept by Veche, or a corporate directory. */
export const AuthSource = Type.Union([Type.Literal('local'), Type.Literal('ldap'), Type.Literal('oidc')])
export type AuthSource = Static<typeof AuthSource>

/** An account as its owner and the workspace's managers see it: never the password hash or sign-in counters. */
export const User = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    displayName: Type.String(),
    role: Role,
    authSource: AuthSource,
    /** Unix milliseconds; null: may sign in. */
    blockedAt: Nullable(Millis),
    createdAt: Millis,
  },
  Closed,
)
export type User = Static<typeof User>

export const UserReply = Type.Object({ user: User }, Closed)
export type UserReply = Static<typeof UserReply>

export const UsersReply = Type.Object({ users: Type.Array(User) }, Closed)
export type UsersReply = Static<typeof UsersReply>

export const SetupStatusReply = Type.Object({ needsOwner: Type.Boolean() }, Closed)
export type SetupStatusReply = Static<typeof SetupStatusReply>

/** GET /api/auth/methods: what the sign-in page offers. */
export const AuthMethods = Type.Object(
  {
    /** email_or_username: a directory (LDAP) also accepts its user names. */
    login: Type.Union([Type.Literal('email'), Type.Literal('email_or_username')]),
    /** null: no corporate sign-in button; name '' asks for the generic label. */
    oidc: Nullable(Type.Object({ name: Type.String() }, Closed)),
  },
  Closed,
)
export type AuthMethods = Static<typeof AuthMethods>

/** GET /api/audit: who did what to whom; names of deleted users are replaced by an anonymous label. */
export const AuditEntry = Type.Object(
  {
    id: Type.Integer(),
    at: Millis,
    /** null: the server itself or the console (actorName 'system' or 'cli'). */
    actorId: Nullable(Type.String()),
    actorName: Type.String(),
    action: Type.String(),
    targetId: Nullable(Type.String()),
    targetName: Nullable(Type.String()),
    /** What changed, by action (a role's from and to, a refusal's reason): free-form by design. */
    detail: Type.Record(Type.String(), Type.Unknown()),
  },
  Closed,
)
export type AuditEntry = Static<typeof AuditEntry>

export const AuditPage = Type.Object(
  {
    entries: Type.Array(AuditEntry),
    /** The `before` of the following (older) page; null: no more. */
    next: Nullable(Type.Integer()),
  },
  Closed,
)
export type AuditPage = Static<typeof AuditPage>
