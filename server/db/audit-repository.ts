// Owns the audit_log table: what owners, admins and the server itself did to accounts and settings.
import type { Db } from './database.ts'
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

interface AuditRow {
  id: number
  at: number
  actor_id: string | null
  actor_name: string
  action: string
  target_id: string | null
  target_name: string | null
  detail: string
}

const toEntry = (r: AuditRow): AuditEntry => ({
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

export function createAuditRepository(db: Db) {
  const insert = db.prepare(
    'INSERT INTO audit_log (at, actor_id, actor_name, action, target_id, target_name, detail) VALUES (?, ?, ?, ?, ?, ?, ?)',
  )
  const page = db.prepare<[number, number], AuditRow>('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?')
  const renameActor = db.prepare('UPDATE audit_log SET actor_name = ? WHERE actor_id = ?')
  const renameTarget = db.prepare('UPDATE audit_log SET target_name = ? WHERE target_id = ?')
  const purge = db.prepare('DELETE FROM audit_log WHERE at < ?')

  return {
    record(actor: AuditActor, action: string, target?: AuditTarget, detail: Record<string, unknown> = {}, now = Date.now()): void {
      insert.run(now, actor.id, actor.displayName, action, target?.id ?? null, target?.name ?? null, JSON.stringify(detail))
    },
    /** list returns entries newest first, `limit` at a time. */
    list(options: { before?: number; limit?: number } = {}): AuditPage {
      const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000)
      const entries = page.all(options.before ?? Number.MAX_SAFE_INTEGER, limit).map(toEntry)
      return { entries, next: entries.length === limit ? entries.at(-1)!.id : null }
    },
    /** anonymise replaces a deleted user's name in every entry that mentions them. */
    anonymise(id: UserId, label: string): void {
      renameActor.run(label, id)
      renameTarget.run(label, id)
    },
    /** purgeBefore deletes entries older than `cutoff` (ms); returns how many. */
    purgeBefore(cutoff: number): number {
      return purge.run(cutoff).changes
    },
  }
}

export type AuditRepository = ReturnType<typeof createAuditRepository>
