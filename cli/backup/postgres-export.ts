// Backs up a PostgreSQL database (a non-empty database.url) as the SQLite file every backup archive
// holds: Veche's own tables read from one consistent snapshot (REPEATABLE READ, read only; the
// server keeps running) into a fresh SQLite database at this release's schema, then each table's
// row count and checksum (cli/db/checksum.ts, as migrate-to-postgres computes them the other way)
// compared between PostgreSQL's rows and the file's. One archive format for both engines: `veche
// restore` puts it back as SQLite, `veche db migrate-to-postgres` carries it into PostgreSQL again.
import { sql, type Kysely, type Transaction } from 'kysely'
import { openDatabase, type Db } from '../../server/db/database.ts'
import type { DatabaseSettings } from '../../server/db/engine.ts'
import { postgresSchemaVersion } from '../../server/db/migrations.ts'
import type { Database } from '../../server/db/schema.ts'
import { TableDigest } from '../db/checksum.ts'
import { connect, openPostgres, where } from '../db/postgres.ts'
import { TABLES, type TablePlan } from '../db/tables.ts'
import { latestSchemaVersion } from '../doctor/database-file.ts'
import { CliError } from '../errors.ts'

/** Rows per FETCH: bounded memory whatever a table's size. */
const FETCH_ROWS = 2000

export interface ExportedTable {
  name: string
  rows: number
  checksum: string
}

/** sourceRows reads a table in key order, text keys byte-wise (COLLATE "C", SQLite's BINARY order). */
async function* sourceRows(trx: Transaction<Database>, table: TablePlan): AsyncGenerator<Record<string, unknown>> {
  const order = table.key.text ? sql`${sql.ref(table.key.column)} COLLATE "C"` : sql.ref(table.key.column)
  const columns = sql.join(table.columns.map((c) => sql.ref(c)))
  await sql`DECLARE veche_export NO SCROLL CURSOR FOR SELECT ${columns} FROM ${sql.table(table.name)} ORDER BY ${order}`.execute(trx)
  for (;;) {
    const { rows } = await sql<Record<string, unknown>>`FETCH FORWARD ${sql.raw(String(FETCH_ROWS))} FROM veche_export`.execute(trx)
    yield* rows
    if (rows.length < FETCH_ROWS) break
  }
  await sql`CLOSE veche_export`.execute(trx)
}

/** fileDigest reads a table back from the SQLite file, integers exact (bigints), in key order. */
function fileDigest(file: Db, table: TablePlan): TableDigest {
  const digest = new TableDigest(table.columns)
  const columns = table.columns.map((c) => `"${c}"`).join(', ')
  for (const row of file.prepare(`SELECT ${columns} FROM "${table.name}" ORDER BY "${table.key.column}"`).safeIntegers(true).iterate()) {
    digest.add(row as Record<string, unknown>)
  }
  return digest
}

/** copyTables copies every table from the snapshot into `file` (one SQLite transaction); returns PostgreSQL's digests. */
async function copyTables(trx: Transaction<Database>, file: Db): Promise<Map<string, TableDigest>> {
  const digests = new Map<string, TableDigest>()
  file.exec('BEGIN')
  try {
    // openDatabase() recorded its own migration history; the database's own replaces it.
    file.exec('DELETE FROM schema_migrations')
    for (const table of TABLES) {
      const digest = new TableDigest(table.columns)
      const insert = file.prepare(`INSERT INTO "${table.name}" (${table.columns.map((c) => `"${c}"`).join(', ')}) VALUES (${table.columns.map(() => '?').join(', ')})`)
      for await (const row of sourceRows(trx, table)) {
        digest.add(row)
        insert.run(...table.columns.map((c) => row[c]))
      }
      digests.set(table.name, digest)
    }
    file.exec('COMMIT')
  } catch (err) {
    if (file.inTransaction) file.exec('ROLLBACK')
    throw err
  }
  return digests
}

/**
 * exportPostgres writes the PostgreSQL database of `settings` into the new SQLite file `file` and
 * returns each table's row count and checksum. Throws CliError when PostgreSQL cannot be reached,
 * its schema is not this release's, or the file does not hold exactly what PostgreSQL held.
 */
export async function exportPostgres(settings: DatabaseSettings, file: string): Promise<ExportedTable[]> {
  const db: Kysely<Database> = openPostgres(settings)
  try {
    await connect(db, settings.url, 'database.url')
    const version = await postgresSchemaVersion(db)
    const latest = latestSchemaVersion()
    if (version !== latest) {
      throw new CliError(
        `the PostgreSQL database ${where(settings.url)} is at schema version ${version}, not this release's ${latest}: ` +
          `${version < latest ? 'start this release\'s server once to migrate it' : 'back it up with the release that wrote it'}, then back up again`,
      )
    }
    const copy = openDatabase(file)
    try {
      const digests = await db
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute(async (trx) => {
          await sql`SET TRANSACTION READ ONLY`.execute(trx)
          return copyTables(trx, copy)
        })
      const tables: ExportedTable[] = []
      const differences: string[] = []
      for (const table of TABLES) {
        const [from, to] = [digests.get(table.name)!, fileDigest(copy, table)]
        const [a, b] = [from.hex(), to.hex()]
        if (from.rows !== to.rows) differences.push(`${table.name}: ${from.rows} rows in PostgreSQL, ${to.rows} in the copy`)
        else if (a !== b) differences.push(`${table.name}: same ${from.rows} rows, different contents`)
        tables.push({ name: table.name, rows: from.rows, checksum: a })
      }
      if (differences.length) throw new CliError(`the backup's copy of the database does not match PostgreSQL (${differences.join('; ')}); no archive was written`)
      return tables
    } finally {
      copy.close()
    }
  } finally {
    await db.destroy()
  }
}
