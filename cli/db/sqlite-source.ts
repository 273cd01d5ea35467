// The SQLite side of a migration: the data folder's database opened read-only, inside one read
// transaction, so every table is read from the same moment even if something writes meanwhile.
import { existsSync } from 'node:fs'
import type { Db } from '../../server/db/database.ts'
import { schemaVersion } from '../../server/db/migrations.ts'
import { latestSchemaVersion, openReadOnly } from '../doctor/database-file.ts'
import { CliError } from '../errors.ts'
import type { TablePlan } from './tables.ts'

export interface SqliteSnapshot {
  file: string
  version: number
  /** rows yields a table's rows in primary-key order, integers as bigints. */
  rows(table: TablePlan): IterableIterator<Record<string, unknown>>
  close(): void
}

/**
 * openSnapshot opens `file` and starts the read transaction. Throws CliError when there is no
 * database or its schema is not this release's (the copy must land on the same schema).
 */
export function openSnapshot(file: string): SqliteSnapshot {
  if (!existsSync(file)) throw new CliError(`no database at ${file}: nothing to move (data.dir names the data folder)`)
  const db: Db = openReadOnly(file)
  try {
    // Under WAL the snapshot is taken at the first read after BEGIN: schemaVersion is that read.
    db.exec('BEGIN')
    const version = schemaVersion(db)
    const latest = latestSchemaVersion()
    if (version < latest) {
      throw new CliError(`${file} is at schema version ${version}, older than this release's ${latest}: migrate it first (\`veche db migrate --file ${file}\`, or start the server once), then run this again`)
    }
    if (version > latest) {
      throw new CliError(`${file} is at schema version ${version}, written by a newer release (this one knows ${latest}): run migrate-to-postgres from that release`)
    }
    return {
      file,
      version,
      rows: (table) => {
        const columns = table.columns.map((c) => `"${c}"`).join(', ')
        // Safe integers: every INTEGER as an exact bigint, so none is rounded on its way to PostgreSQL.
        const statement = db.prepare(`SELECT ${columns} FROM "${table.name}" ORDER BY "${table.key.column}"`).safeIntegers(true)
        return statement.iterate() as IterableIterator<Record<string, unknown>>
      },
      close: () => {
        if (db.inTransaction) db.exec('COMMIT')
        db.close()
      },
    }
  } catch (err) {
    db.close()
    throw err
  }
}
