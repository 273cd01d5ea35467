// Owns the users table. On Kysely (server/db/engine.ts): the same queries on SQLite and PostgreSQL.
// get() runs on every signed-in request, so its query is compiled once (engine.ts precompiled).
import type { Selectable } from 'kysely'
import { randomUUID } from 'node:crypto'
import { isUniqueViolation, precompiled, type DataLayer } from './engine.ts'
import type { UsersTable } from './schema.ts'

export type UserId = string & { readonly __brand: 'UserId' }
export type Role = 'owner' | 'admin' | 'member'
/** Where a user proves who they are: a password kept here, or a corporate directory. */
export type AuthSource = 'local' | 'ldap' | 'oidc'

export interface User {
  id: UserId
  email: string
  displayName: string
  role: Role
  authSource: AuthSource
  /** When an owner or admin blocked the user; null: may sign in. */
  blockedAt: number | null
  createdAt: number
}

/** What sign-in needs beyond the user: the stored hash and the failed-attempt state. */
export interface SignInRecord {
  user: User
  /** '' for directory users: no password matches it. */
  passwordHash: string
  failedSignIns: number
  lockedUntil: number | null
}

type UserRow = Selectable<UsersTable>

const toUser = (r: UserRow): User => ({
  id: r.id as UserId,
  email: r.email,
  displayName: r.display_name,
  role: r.role,
  authSource: r.auth_source,
  blockedAt: r.blocked_at,
  createdAt: r.created_at,
})

const toSignIn = (r: UserRow): SignInRecord => ({
  user: toUser(r),
  passwordHash: r.password_hash,
  failedSignIns: r.failed_signins,
  lockedUntil: r.locked_until,
})

export class EmailTakenError extends Error {
  override name = 'EmailTakenError'
}

export interface NewUser {
  email: string
  displayName: string
  role: Role
  passwordHash: string
}

/** A user first seen through a directory sign-in. */
export interface NewExternalUser {
  source: Exclude<AuthSource, 'local'>
  externalId: string
  email: string
  displayName: string
  role: Role
}

/** emailTaken turns the e-mail's unique violation into EmailTakenError; anything else goes on as it was. */
const emailTaken = (err: unknown, email: string): unknown =>
  isUniqueViolation(err) ? new EmailTakenError(`a user with e-mail ${email} already exists`) : err

export function createUsersRepository({ db }: DataLayer) {
  const byId = precompiled(db, db.selectFrom('users').selectAll().where('id', '=', ''))
  const row = async (id: string): Promise<UserRow | undefined> => (await byId(id))[0]
  const countOwners = async (): Promise<number> =>
    (await db.selectFrom('users').select((e) => e.fn.countAll<number>().as('n')).where('role', '=', 'owner').executeTakeFirstOrThrow()).n
  const changed = ({ numUpdatedRows }: { numUpdatedRows: bigint }): boolean => numUpdatedRows === 1n

  const insertRow = async (id: UserId, u: NewUser, source: AuthSource, externalId: string | null): Promise<User> => {
    const values = {
      id,
      email: u.email.trim(),
      display_name: u.displayName.trim(),
      role: u.role,
      password_hash: u.passwordHash,
      auth_source: source,
      external_id: externalId,
      created_at: Date.now(),
    }
    try {
      await db.insertInto('users').values(values).execute()
    } catch (err) {
      throw emailTaken(err, u.email)
    }
    return toUser({ ...values, blocked_at: null, failed_signins: 0, locked_until: null })
  }

  return {
    async get(id: string): Promise<User | undefined> {
      const r = await row(id)
      return r && toUser(r)
    },
    /** findForSignIn returns the user and their stored password hash, by e-mail (any case). */
    async findForSignIn(email: string): Promise<SignInRecord | undefined> {
      const r = await db.selectFrom('users').selectAll().where('email', '=', email.trim()).executeTakeFirst()
      return r && toSignIn(r)
    },
    /** signInRecord is findForSignIn by id (directory sign-ins know the user by its external id). */
    async signInRecord(id: UserId): Promise<SignInRecord | undefined> {
      const r = await row(id)
      return r && toSignIn(r)
    },
    /** findExternal returns the user a directory knows as `externalId`. */
    async findExternal(source: Exclude<AuthSource, 'local'>, externalId: string): Promise<User | undefined> {
      const r = await db.selectFrom('users').selectAll().where('auth_source', '=', source).where('external_id', '=', externalId).executeTakeFirst()
      return r && toUser(r)
    },
    /** signedInFrom lists the unblocked users of a directory who hold a live session. */
    async signedInFrom(source: Exclude<AuthSource, 'local'>, now = Date.now()): Promise<{ id: UserId; externalId: string; displayName: string }[]> {
      const rows = await db
        .selectFrom('users')
        .select(['id', 'external_id', 'display_name'])
        .where('auth_source', '=', source)
        .where('external_id', 'is not', null)
        .where('blocked_at', 'is', null)
        .where((e) =>
          e.exists(
            e
              .selectFrom('sessions')
              .select(e.lit(1).as('one'))
              .whereRef('sessions.user_id', '=', 'users.id')
              .where('sessions.expires_at', '>', now),
          ),
        )
        .orderBy('id')
        .execute()
      return rows.map((r) => ({ id: r.id as UserId, externalId: r.external_id!, displayName: r.display_name }))
    },
    /**
     * setExternalId re-keys a directory user, e.g. from their DN to their entry's UUID. False when
     * another account of that directory already has `externalId` (a concurrent sign-in re-keyed first).
     */
    async setExternalId(id: UserId, externalId: string): Promise<boolean> {
      try {
        return changed(await db.updateTable('users').set({ external_id: externalId }).where('id', '=', id).executeTakeFirst())
      } catch (err) {
        if (isUniqueViolation(err)) return false
        throw err
      }
    },
    async list(): Promise<User[]> {
      return (await db.selectFrom('users').selectAll().orderBy('created_at').orderBy('email').execute()).map(toUser)
    },
    async count(): Promise<number> {
      return (await db.selectFrom('users').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n
    },
    async hasOwner(): Promise<boolean> {
      return (await countOwners()) > 0
    },
    /** create inserts a user; throws EmailTakenError when the e-mail is already in use. */
    async create(u: NewUser): Promise<User> {
      return insertRow(randomUUID() as UserId, u, 'local', null)
    },
    /** createExternal adds a directory user (no local password); throws EmailTakenError like create. */
    async createExternal(u: NewExternalUser): Promise<User> {
      return insertRow(randomUUID() as UserId, { ...u, passwordHash: '' }, u.source, u.externalId)
    },
    async setPasswordHash(id: UserId, hash: string): Promise<boolean> {
      return changed(await db.updateTable('users').set({ password_hash: hash }).where('id', '=', id).executeTakeFirst())
    },
    async setRole(id: UserId, role: Role): Promise<boolean> {
      return changed(await db.updateTable('users').set({ role }).where('id', '=', id).executeTakeFirst())
    },
    /** setProfile refreshes what a directory says about a user at each sign-in; throws EmailTakenError like create. */
    async setProfile(id: UserId, email: string, displayName: string): Promise<boolean> {
      try {
        return changed(await db.updateTable('users').set({ email: email.trim(), display_name: displayName.trim() }).where('id', '=', id).executeTakeFirst())
      } catch (err) {
        throw emailTaken(err, email)
      }
    },
    /** setBlocked blocks (true) or unblocks (false) a user. */
    async setBlocked(id: UserId, blocked: boolean, now = Date.now()): Promise<boolean> {
      return changed(await db.updateTable('users').set({ blocked_at: blocked ? now : null }).where('id', '=', id).executeTakeFirst())
    },
    /** recordFailedSignIn counts one more failure and sets the lock: until `lockUntil` (ms), or none (null). */
    async recordFailedSignIn(id: UserId, lockUntil: number | null): Promise<void> {
      await db
        .updateTable('users')
        .set((e) => ({ failed_signins: e('failed_signins', '+', 1), locked_until: lockUntil }))
        .where('id', '=', id)
        .execute()
    },
    /** lockAfterFailures locks sign-in until `until` (ms) and starts the failure count over for after it. */
    async lockAfterFailures(id: UserId, until: number): Promise<void> {
      await db.updateTable('users').set({ failed_signins: 0, locked_until: until }).where('id', '=', id).execute()
    },
    async clearFailedSignIns(id: UserId): Promise<void> {
      await db.updateTable('users').set({ failed_signins: 0, locked_until: null }).where('id', '=', id).execute()
    },
    /** countOwners tells whether removing an owner would leave the workspace without one. */
    countOwners,
    /** countActiveOwners counts the owners who are not blocked: who can still sign in and manage the workspace. */
    async countActiveOwners(): Promise<number> {
      const { n } = await db
        .selectFrom('users')
        .select((e) => e.fn.countAll<number>().as('n'))
        .where('role', '=', 'owner')
        .where('blocked_at', 'is', null)
        .executeTakeFirstOrThrow()
      return n
    },
    /** delete removes the user row; their sessions and rooms go with it (ON DELETE CASCADE). */
    async delete(id: UserId): Promise<boolean> {
      const { numDeletedRows } = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst()
      return numDeletedRows === 1n
    },
  }
}

export type UsersRepository = ReturnType<typeof createUsersRepository>
