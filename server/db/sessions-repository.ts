// Owns the sessions table: server-side sign-in sessions, keyed by the hash of the cookie's token.
import { createHash, randomBytes } from 'node:crypto'
import type { Db } from './database.ts'
import type { UserId } from './users-repository.ts'

const hashToken = (token: string): string => createHash('sha256').update(token).digest('base64url')

export function createSessionsRepository(db: Db) {
  const insert = db.prepare('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)')
  const lookup = db.prepare<[string, number], { user_id: string }>(
    'SELECT user_id FROM sessions WHERE token_hash = ? AND expires_at > ?',
  )
  const remove = db.prepare('DELETE FROM sessions WHERE token_hash = ?')
  const removeForUser = db.prepare('DELETE FROM sessions WHERE user_id = ?')
  const purge = db.prepare('DELETE FROM sessions WHERE expires_at <= ?')
  const expire = db.prepare('UPDATE sessions SET expires_at = ? WHERE token_hash = ?')

  return {
    /** create starts a session for userId and returns the token to put in the cookie. */
    create(userId: UserId, ttlMs: number): { token: string; expiresAt: number } {
      const token = randomBytes(32).toString('base64url')
      const now = Date.now()
      insert.run(hashToken(token), userId, now, now + ttlMs)
      return { token, expiresAt: now + ttlMs }
    },
    /** userIdFor returns the user of a live session, or undefined for an unknown or expired token. */
    userIdFor(token: string, now = Date.now()): UserId | undefined {
      return lookup.get(hashToken(token), now)?.user_id as UserId | undefined
    },
    delete(token: string): void {
      remove.run(hashToken(token))
    },
    /** deleteForUser signs a user out everywhere (blocked, password reset, deleted); returns how many. */
    deleteForUser(userId: UserId): number {
      return removeForUser.run(userId).changes
    },
    /** expireNow ends a session at once (used by tests and, later, by blocking a user). */
    expireNow(token: string): void {
      expire.run(Date.now(), hashToken(token))
    },
    purgeExpired(now = Date.now()): number {
      return purge.run(now).changes
    },
  }
}

export type SessionsRepository = ReturnType<typeof createSessionsRepository>
