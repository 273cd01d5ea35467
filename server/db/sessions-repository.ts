// Owns the sessions table: server-side sign-in sessions, keyed by the hash of the cookie's token.
// On Kysely (server/db/engine.ts): the same queries on SQLite and PostgreSQL. userIdFor() runs on
// every request that carries a cookie, so its query is compiled once (engine.ts precompiled).
import { createHash, randomBytes } from 'node:crypto'
import { precompiled, type DataLayer } from './engine.ts'
import type { UserId } from './users-repository.ts'

const hashToken = (token: string): string => createHash('sha256').update(token).digest('base64url')

export function createSessionsRepository({ db }: DataLayer) {
  const lookup = precompiled(db, db.selectFrom('sessions').select('user_id').where('token_hash', '=', '').where('expires_at', '>', 0))

  return {
    /** create starts a session for userId and returns the token to put in the cookie. */
    async create(userId: UserId, ttlMs: number): Promise<{ token: string; expiresAt: number }> {
      const token = randomBytes(32).toString('base64url')
      const now = Date.now()
      await db.insertInto('sessions').values({ token_hash: hashToken(token), user_id: userId, created_at: now, expires_at: now + ttlMs }).execute()
      return { token, expiresAt: now + ttlMs }
    },
    /** userIdFor returns the user of a live session, or undefined for an unknown or expired token. */
    async userIdFor(token: string, now = Date.now()): Promise<UserId | undefined> {
      return (await lookup(hashToken(token), now))[0]?.user_id as UserId | undefined
    },
    async delete(token: string): Promise<void> {
      await db.deleteFrom('sessions').where('token_hash', '=', hashToken(token)).execute()
    },
    /** deleteForUser signs a user out everywhere (blocked, password reset, deleted); returns how many. */
    async deleteForUser(userId: UserId): Promise<number> {
      const { numDeletedRows } = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst()
      return Number(numDeletedRows)
    },
    /** expireNow ends a session at once (used by tests). */
    async expireNow(token: string): Promise<void> {
      await db.updateTable('sessions').set({ expires_at: Date.now() }).where('token_hash', '=', hashToken(token)).execute()
    },
    async purgeExpired(now = Date.now()): Promise<number> {
      const { numDeletedRows } = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst()
      return Number(numDeletedRows)
    },
  }
}

export type SessionsRepository = ReturnType<typeof createSessionsRepository>
