// Restores a backup's database into PostgreSQL (a non-empty database.url). What PostgreSQL held is
// exported first into the data folder (`veche-postgres.before-restore-<time>.db`, a SQLite file like
// the one a backup holds), as the SQLite restore keeps the file it replaces; then every table is
// replaced from the archive's SQLite file inside one PostgreSQL transaction, each table's row count
// and checksum compared before the commit (cli/db/copy.ts, migrate-to-postgres's copy).
import { openDatabase } from '../../server/db/database.ts'
import type { DatabaseSettings } from '../../server/db/engine.ts'
import { MigrationError, migratePostgres } from '../../server/db/migrations.ts'
import { copyAll } from '../db/copy.ts'
import { connect, openPostgres, where } from '../db/postgres.ts'
import { openSnapshot } from '../db/sqlite-source.ts'
import { CliError } from '../errors.ts'
import { exportPostgres } from './postgres-export.ts'

/**
 * restoreIntoPostgres replaces the PostgreSQL database of `settings` with the SQLite file `staged`
 * (migrated to this release's schema first), keeping what it held in `keepFile`. Throws CliError,
 * PostgreSQL left as it was, when it cannot be reached, holds a newer schema, or the copy differs.
 */
export async function restoreIntoPostgres(settings: DatabaseSettings, staged: string, keepFile: string, say: (line: string) => void): Promise<void> {
  // A backup from an older release: its file is brought to this release's schema, as PostgreSQL is.
  openDatabase(staged).close()
  const db = openPostgres(settings)
  try {
    await connect(db, settings.url, 'database.url')
    try {
      await migratePostgres(db)
    } catch (err) {
      if (err instanceof MigrationError) throw new CliError(err.message)
      throw err
    }
    const kept = await exportPostgres(settings, keepFile)
    say(`kept what ${where(settings.url)} held (${kept.reduce((n, t) => n + t.rows, 0)} rows) in ${keepFile}`)
    const source = openSnapshot(staged)
    try {
      const { tables } = await copyAll(db, source, where(settings.url), () => undefined, true)
      say(`restored ${tables.length} tables into PostgreSQL ${where(settings.url)}: row counts and checksums match`)
    } finally {
      source.close()
    }
  } finally {
    await db.destroy()
  }
}
