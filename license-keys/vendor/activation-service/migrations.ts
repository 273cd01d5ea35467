// Owns the vendor database's schema history: numbered SQL files applied in order and recorded in it.
// (The same scheme as the appliance's server/db/migrations.ts; license-keys may not import server/.)
import { readdirSync, readFileSync } from 'node:fs'
import type Database from 'better-sqlite3'
import { VendorError } from '../errors.ts'

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url)

export interface Migration {
  version: number
  name: string
  sql: string
}

/** listMigrations returns the migrations this release knows, in order. */
export function listMigrations(): Migration[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{4}-[a-z0-9-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 4)), name: f.slice(5, -4), sql: readFileSync(new URL(f, MIGRATIONS_DIR), 'utf8') }))
}

/** schemaVersion returns the highest migration applied to db (0 for a new database). */
export function schemaVersion(db: Database.Database): number {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get()
  if (!table) return 0
  return (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0
}

/**
 * migrate applies every pending migration, each in its own transaction, and returns how many ran.
 * Throws VendorError schema_too_new if a newer veche-vendor wrote the database.
 */
export function migrate(db: Database.Database): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`)
  const migrations = listMigrations()
  const current = schemaVersion(db)
  const latest = migrations.at(-1)?.version ?? 0
  if (current > latest) {
    throw new VendorError(
      'schema_too_new',
      `vendor database schema version ${current} is newer than this veche-vendor knows (${latest}): use the veche-vendor that wrote it`,
    )
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
  let applied = 0
  for (const m of migrations) {
    if (m.version <= current) continue
    db.transaction(() => {
      db.exec(m.sql)
      record.run(m.version, m.name, Date.now())
    })()
    applied++
  }
  return applied
}
