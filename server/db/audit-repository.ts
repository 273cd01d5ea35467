// Owns the audit_log table: what owners, admins and the server itself did to accounts and settings.
// On Kysely (server/db/engine.ts): the same queries on SQLite and PostgreSQL.
import type { Selectable } from 'kysely'
import type { DataLayer } from './engine.ts'
import type { AuditLogTable } from './schema.ts'
import type { User, UserId } from './users-repository.ts'

/** Who acted: a signed-in user, or the server itself (retention, first directory sign-in, the CLI). */
export type AuditActor = Pick<User, 'id' | 'displayName'> | { id: null; displayName: string }

export const SYSTEM_ACTOR: AuditActor = { id: null, displayName: 'system' }

export interface AuditEntry {
  id: number
  at: number
  actorId: string | null
  actorName: string
  action: string
  targetId: string | null
  targetName: string | null
  detail: Record<string, unknown>
}

const toEntry = (r: Selectable<AuditLogTable>): AuditEntry => ({
  id: r.id,
  at: r.at,
  actorId: r.actor_id,
  actorName: r.actor_name,
  action: r.action,
  targetId: r.target_id,
  targetName: r.target_name,
  detail: JSON.parse(r.detail) as Record<string, unknown>,
})

export interface AuditTarget {
  id: string | null
  name: string | null
}

export interface AuditPage {
  entries: AuditEntry[]
  /** Pass as `before` to read the next (older) page; null: no more. */
  next: number | null
}

export function createAuditRepository({ db }: DataLayer) {
  return {
    async record(actor: AuditActor, action: string, target?: AuditTarget, detail: Record<string, unknown> = {}, now = Date.now()): Promise<void> {
      await db
        .insertInto('audit_log')
        .values({
          at: now,
          actor_id: actor.id,
          actor_name: actor.displayName,
          action,
          target_id: target?.id ?? null,
          target_name: target?.name ?? null,
          detail: JSON.stringify(detail),
        })
        .execute()
    },
    /** list returns entries newest first, `limit` at a time. */
    async list(options: { before?: number; limit?: number } = {}): Promise<AuditPage> {
      const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000)
      const rows = await db
        .selectFrom('audit_log')
        .selectAll()
        .where('id', '<', options.before ?? Number.MAX_SAFE_INTEGER)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute()
      const entries = rows.map(toEntry)
      return { entries, next: entries.length === limit ? entries.at(-1)!.id : null }
    },
    /** anonymise replaces a deleted user's name in every entry that mentions them. */
    async anonymise(id: UserId, label: string): Promise<void> {
      await db.updateTable('audit_log').set({ actor_name: label }).where('actor_id', '=', id).execute()
      await db.updateTable('audit_log').set({ target_name: label }).where('target_id', '=', id).execute()
    },
    /** purgeBefore deletes entries older than `cutoff` (ms); returns how many. */
    async purgeBefore(cutoff: number): Promise<number> {
      const { numDeletedRows } = await db.deleteFrom('audit_log').where('at', '<', cutoff).executeTakeFirst()
      return Number(numDeletedRows)
    },
  }
}

export type AuditRepository = ReturnType<typeof createAuditRepository>
