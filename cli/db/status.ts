// `veche db status`: which engine and database this configuration uses, its schema version against
// this release's, its size and each table's row count. Reads only.
import { existsSync, statSync } from 'node:fs'
import { sql } from 'kysely'
import type { Config } from '../../config/schema.ts'
import { usesPostgres } from '../../server/db/engine.ts'
import { postgresSchemaVersion, schemaVersion } from '../../server/db/migrations.ts'
import { databaseFile, latestSchemaVersion, openReadOnly } from '../doctor/database-file.ts'
import { CliError } from '../errors.ts'
import { connect, openPostgres, where } from './postgres.ts'
import { TABLES } from './tables.ts'

export interface DatabaseStatus {
  engine: 'sqlite' | 'postgres'
  /** The SQLite file, or role@host:port/database (never a password). */
  location: string
  /** PostgreSQL's version; undefined on SQLite. */
  serverVersion?: string
  schemaVersion: number
  releaseSchemaVersion: number
  sizeBytes: number
  /** Row counts by table; null for a table the schema does not have (yet). */
  tables: { name: string; rows: number | null }[]
}

function sqliteStatus(file: string): DatabaseStatus {
  if (!existsSync(file)) throw new CliError(`no database at ${file} yet: \`veche serve\` creates it (if this server has data, data.dir names the wrong folder)`)
  const db = openReadOnly(file)
  try {
    db.exec('BEGIN')
    const present = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name))
    const tables = TABLES.map((t) => ({
      name: t.name,
      rows: present.has(t.name) ? (db.prepare(`SELECT COUNT(*) AS n FROM "${t.name}"`).get() as { n: number }).n : null,
    }))
    const version = schemaVersion(db)
    db.exec('COMMIT')
    // The write-ahead log holds recent commits not yet folded into the file.
    const sizeBytes = [file, `${file}-wal`].reduce((sum, f) => sum + (existsSync(f) ? statSync(f).size : 0), 0)
    return { engine: 'sqlite', location: file, schemaVersion: version, releaseSchemaVersion: latestSchemaVersion(), sizeBytes, tables }
  } finally {
    db.close()
  }
}

async function postgresStatus(settings: Config['database']): Promise<DatabaseStatus> {
  const db = openPostgres(settings)
  try {
    await connect(db, settings.url, 'database.url')
    const { rows } = await sql<{ version: string; size: number }>`SELECT current_setting('server_version') AS version, pg_database_size(current_database()) AS size`.execute(db)
    const present = await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()`.execute(db)
    const names = new Set(present.rows.map((r) => r.name))
    const tables: DatabaseStatus['tables'] = []
    for (const t of TABLES) {
      const rows = names.has(t.name) ? ((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(t.name)}`.execute(db)).rows[0]?.n ?? 0) : null
      tables.push({ name: t.name, rows })
    }
    return {
      engine: 'postgres',
      location: where(settings.url),
      serverVersion: rows[0]!.version,
      schemaVersion: await postgresSchemaVersion(db),
      releaseSchemaVersion: latestSchemaVersion(),
      sizeBytes: Number(rows[0]!.size),
      tables,
    }
  } finally {
    await db.destroy()
  }
}

/** databaseStatus describes the database `config` chooses; throws CliError when it cannot be read. */
export async function databaseStatus(config: Config): Promise<DatabaseStatus> {
  return usesPostgres(config.database) ? await postgresStatus(config.database) : sqliteStatus(databaseFile(config))
}

const size = (bytes: number): string =>
  bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`

/** schemaLine says whether the schema is this release's, and what to do when it is not. */
export function schemaLine(s: Pick<DatabaseStatus, 'schemaVersion' | 'releaseSchemaVersion' | 'engine'>): string {
  const { schemaVersion: v, releaseSchemaVersion: r } = s
  if (v === r) return `${v} (this release's)`
  if (v > r) return `${v}, written by a newer release (this one knows ${r}): install that release`
  if (v === 0) return `none yet (this release's is ${r}): the server creates it when it starts`
  return `${v}, older than this release's ${r}: ${s.engine === 'sqlite' ? 'start the server or `veche doctor --fix` to migrate it' : '`veche doctor --fix` migrates it'}`
}

/** formatStatus renders a status for people. */
export function formatStatus(s: DatabaseStatus): string {
  const lines = [
    `engine:   ${s.engine === 'sqlite' ? 'SQLite' : `PostgreSQL ${s.serverVersion}`}`,
    `database: ${s.location}`,
    `schema:   ${schemaLine(s)}`,
    `size:     ${size(s.sizeBytes)}`,
    'rows:',
  ]
  const width = Math.max(...s.tables.map((t) => t.name.length))
  for (const t of s.tables) lines.push(`  ${t.name.padEnd(width)}  ${t.rows === null ? '(no table)' : t.rows}`)
  return `${lines.join('\n')}\n`
}
