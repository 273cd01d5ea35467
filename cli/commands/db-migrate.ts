import type { Command } from 'commander'
import { openDatabase } from '../../server/db/database.ts'
import { schemaVersion } from '../../server/db/migrations.ts'
import { registerDbMigrateToPostgres } from './db-migrate-to-postgres.ts'
import { registerDbStatus } from './db-status.ts'

export function registerDbMigrate(program: Command): void {
  const db = program.command('db').description('database maintenance')
  db.command('migrate')
    .description('apply this release’s migrations to a database file (updates try them on a copy first)')
    .requiredOption('--file <db>', 'the SQLite database file')
    .action((flags: { file: string }) => {
      const handle = openDatabase(flags.file)
      try {
        process.stdout.write(`schema version ${schemaVersion(handle)}\n`)
      } finally {
        handle.close()
      }
    })
  registerDbStatus(db)
  registerDbMigrateToPostgres(db)
}
