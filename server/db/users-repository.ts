// Owns the users table.
import { randomUUID } from 'node:crypto'
import type { Db } from './database.ts'

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

interface UserRow {
  id: string
  email: string
  display_name: string
  role: Role
  password_hash: string
  auth_source: AuthSource
  external_id: string | null
  blocked_at: number | null
  failed_signins: number
  locked_until: number | null
  created_at: number
}

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

export function createUsersRepository(db: Db) {
  const byId = db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?')
  const byEmail = db.prepare<[string], UserRow>('SELECT * FROM users WHERE email = ?')
  const all = db.prepare<[], UserRow>('SELECT * FROM users ORDER BY created_at, email')
  const countAll = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM users')
  const countOwners = db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM users WHERE role = 'owner'")
  const byExternal = db.prepare<[string, string], UserRow>('SELECT * FROM users WHERE auth_source = ? AND external_id = ?')
  const insert = db.prepare(
    'INSERT INTO users (id, email, display_name, role, password_hash, auth_source, external_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  )
  const setPassword = db.prepare('UPDATE users SET password_hash = ? WHERE id = ?')
  const updateRole = db.prepare('UPDATE users SET role = ? WHERE id = ?')
  const updateProfile = db.prepare('UPDATE users SET email = ?, display_name = ? WHERE id = ?')
  const signedInExternal = db.prepare<[string, number], { id: string; external_id: string; display_name: string }>(
    `SELECT id, external_id, display_name FROM users
     WHERE auth_source = ? AND external_id IS NOT NULL AND blocked_at IS NULL
       AND EXISTS (SELECT 1 FROM sessions WHERE sessions.user_id = users.id AND sessions.expires_at > ?)
     ORDER BY id`,
  )
  const updateExternalId = db.prepare('UPDATE users SET external_id = ? WHERE id = ?')
  const updateBlocked = db.prepare('UPDATE users SET blocked_at = ? WHERE id = ?')
  const failed = db.prepare('UPDATE users SET failed_signins = failed_signins + 1, locked_until = ? WHERE id = ?')
  const lockFor = db.prepare('UPDATE users SET locked_until = ? WHERE id = ?')
  const clearFailed = db.prepare('UPDATE users SET failed_signins = 0, locked_until = NULL WHERE id = ?')
  const remove = db.prepare('DELETE FROM users WHERE id = ?')

  const insertRow = (id: UserId, u: NewUser, source: AuthSource, externalId: string | null): void => {
    try {
      insert.run(id, u.email.trim(), u.displayName.trim(), u.role, u.passwordHash, source, externalId, Date.now())
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new EmailTakenError(`a user with e-mail ${u.email} already exists`)
      }
      throw err
    }
  }

  return {
    get(id: string): User | undefined {
      const row = byId.get(id)
      return row && toUser(row)
    },
    /** findForSignIn returns the user and their stored password hash, by e-mail (any case). */
    findForSignIn(email: string): SignInRecord | undefined {
      const row = byEmail.get(email.trim())
      return row && toSignIn(row)
    },
    /** signInRecord is findForSignIn by id (directory sign-ins know the user by its external id). */
    signInRecord(id: UserId): SignInRecord | undefined {
      const row = byId.get(id)
      return row && toSignIn(row)
    },
    /** findExternal returns the user a directory knows as `externalId`. */
    findExternal(source: Exclude<AuthSource, 'local'>, externalId: string): User | undefined {
      const row = byExternal.get(source, externalId)
      return row && toUser(row)
    },
    /** signedInFrom lists the unblocked users of a directory who hold a live session. */
    signedInFrom(source: Exclude<AuthSource, 'local'>, now = Date.now()): { id: UserId; externalId: string; displayName: string }[] {
      return signedInExternal.all(source, now).map((r) => ({ id: r.id as UserId, externalId: r.external_id, displayName: r.display_name }))
    },
    /** setExternalId re-keys a directory user, e.g. from their DN to their entry's UUID. */
    setExternalId(id: UserId, externalId: string): void {
      updateExternalId.run(externalId, id)
    },
    list(): User[] {
      return all.all().map(toUser)
    },
    count(): number {
      return countAll.get()!.n
    },
    hasOwner(): boolean {
      return countOwners.get()!.n > 0
    },
    /** create inserts a user; throws EmailTakenError when the e-mail is already in use. */
    create(u: NewUser): User {
      const id = randomUUID() as UserId
      insertRow(id, u, 'local', null)
      return this.get(id)!
    },
    /** createExternal adds a directory user (no local password); throws EmailTakenError like create. */
    createExternal(u: NewExternalUser): User {
      const id = randomUUID() as UserId
      insertRow(id, { ...u, passwordHash: '' }, u.source, u.externalId)
      return this.get(id)!
    },
    setPasswordHash(id: UserId, hash: string): boolean {
      return setPassword.run(hash, id).changes === 1
    },
    setRole(id: UserId, role: Role): boolean {
      return updateRole.run(role, id).changes === 1
    },
    /** setProfile refreshes what a directory says about a user at each sign-in. */
    setProfile(id: UserId, email: string, displayName: string): boolean {
      return updateProfile.run(email.trim(), displayName.trim(), id).changes === 1
    },
    /** setBlocked blocks (true) or unblocks (false) a user. */
    setBlocked(id: UserId, blocked: boolean, now = Date.now()): boolean {
      return updateBlocked.run(blocked ? now : null, id).changes === 1
    },
    /** recordFailedSignIn counts one more failure; `lockUntil` (ms) locks the account, null leaves it. */
    recordFailedSignIn(id: UserId, lockUntil: number | null): void {
      failed.run(lockUntil, id)
    },
    /** lockUntil sets or (null) lifts a sign-in lock without touching the failure count. */
    lockUntil(id: UserId, until: number | null): void {
      lockFor.run(until, id)
    },
    clearFailedSignIns(id: UserId): void {
      clearFailed.run(id)
    },
    /** countOwners tells whether removing an owner would leave the workspace without one. */
    countOwners(): number {
      return countOwners.get()!.n
    },
    /** delete removes the user row; their sessions and rooms go with it (ON DELETE CASCADE). */
    delete(id: UserId): boolean {
      return remove.run(id).changes === 1
    },
  }
}

export type UsersRepository = ReturnType<typeof createUsersRepository>
