// Copies every table from a SQLite snapshot into a migrated, empty PostgreSQL database inside ONE
// target transaction, then checks each table's row count and checksum from what PostgreSQL holds.
// Anything amiss throws before the commit, so the target is left as it was: an interrupted or
// failed run can simply be started again.
import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../../server/db/schema.ts'
import { failpoint } from '../../server/failpoint.ts'
import { CliError } from '../errors.ts'
import { TableDigest } from './checksum.ts'
import type { SqliteSnapshot } from './sqlite-source.ts'
import { notEmptyMessage, targetContents } from './target.ts'
import { TABLES, type TablePlan } from './tables.ts'

/** Rows per INSERT: 500 rows of at most 15 columns stay far below PostgreSQL's 65535 parameters. */
const BATCH_ROWS = 500
/** Rows per FETCH when reading the copy back. */
const FETCH_ROWS = 2000
/** Two migrate-to-postgres runs on one database at once would both see it empty; this lock stops the second. */
const COPY_LOCK = '8531334369148494947'

export interface TableResult {
  name: string
  rows: number
  checksum: string
}

export interface CopyResult {
  tables: TableResult[]
}

export type Progress = (line: string) => void

async function insertBatch(trx: Transaction<Database>, table: TablePlan, rows: Record<string, unknown>[]): Promise<void> {
  const columns = sql.join(table.columns.map((c) => sql.ref(c)))
  const values = sql.join(rows.map((row) => sql`(${sql.join(table.columns.map((c) => row[c]))})`))
  await sql`INSERT INTO ${sql.table(table.name)} (${columns}) VALUES ${values}`.execute(trx)
}

/** copyTable streams one table's rows into the target in key order; returns the source's digest. */
async function copyTable(trx: Transaction<Database>, source: SqliteSnapshot, table: TablePlan): Promise<TableDigest> {
  const digest = new TableDigest(table.columns)
  const failed = (rows: string, err: unknown): CliError =>
    new CliError(`copying table ${table.name} failed at ${rows} (in ${table.key.column} order): ${(err as Error).message}; the target was left unchanged`)
  let batch: Record<string, unknown>[] = []
  const flush = async (): Promise<void> => {
    try {
      await insertBatch(trx, table, batch)
    } catch (err) {
      throw failed(`rows ${digest.rows - batch.length + 1}-${digest.rows}`, err)
    }
    batch = []
  }
  for (const row of source.rows(table)) {
    try {
      digest.add(row)
    } catch (err) {
      const key = row[table.key.column]
      throw failed(`row ${digest.rows + 1} (${table.key.column} ${typeof key === 'string' ? JSON.stringify(key) : String(key)})`, err)
    }
    batch.push(row)
    if (batch.length === BATCH_ROWS) await flush()
  }
  if (batch.length) await flush()
  return digest
}

/** targetDigest reads a table back from the target in the order SQLite used (text keys byte-wise). */
async function targetDigest(trx: Transaction<Database>, table: TablePlan): Promise<TableDigest> {
  const digest = new TableDigest(table.columns)
  const order = table.key.text ? sql`${sql.ref(table.key.column)} COLLATE "C"` : sql.ref(table.key.column)
  const columns = sql.join(table.columns.map((c) => sql.ref(c)))
  await sql`DECLARE veche_check NO SCROLL CURSOR FOR SELECT ${columns} FROM ${sql.table(table.name)} ORDER BY ${order}`.execute(trx)
  for (;;) {
    const { rows } = await sql<Record<string, unknown>>`FETCH FORWARD ${sql.raw(String(FETCH_ROWS))} FROM veche_check`.execute(trx)
    for (const row of rows) digest.add(row)
    if (rows.length < FETCH_ROWS) break
  }
  await sql`CLOSE veche_check`.execute(trx)
  return digest
}

/** identityColumns lists the target's identity columns (rowid keys on SQLite), table by table. */
async function identityColumns(trx: Transaction<Database>): Promise<{ table: string; column: string }[]> {
  const { rows } = await sql<{ table: string; column: string }>`
    SELECT table_name AS table, column_name AS column FROM information_schema.columns
    WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY 1`.execute(trx)
  return rows
}

/**
 * copyAll copies and verifies every table inside one transaction on `target`, which must be
 * migrated to the source's schema version and hold no rows; with `replace` (`veche restore`), its
 * rows are deleted first, in the same transaction. Throws CliError (the transaction rolled back)
 * when the target is not empty, a row cannot be inserted, or a count or checksum differs.
 */
export async function copyAll(target: Kysely<Database>, source: SqliteSnapshot, targetName: string, progress: Progress, replace = false): Promise<CopyResult> {
  return await target.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${COPY_LOCK}::bigint)`.execute(trx)
    if (replace) await sql`TRUNCATE ${sql.join(TABLES.map((t) => sql.table(t.name)))} RESTART IDENTITY`.execute(trx)
    // Checked again under the lock: another run may have filled it since the first look.
    const why = notEmptyMessage(await targetContents(trx), targetName)
    if (why) throw new CliError(why)
    // The target's own migration history gives way to the installation's, copied with the rest.
    await sql`DELETE FROM schema_migrations`.execute(trx)

    const sourceDigests = new Map<string, TableDigest>()
    for (const [i, table] of TABLES.entries()) {
      const digest = await copyTable(trx, source, table)
      sourceDigests.set(table.name, digest)
      progress(`copied ${table.name}: ${digest.rows} row${digest.rows === 1 ? '' : 's'}`)
      if (i === Math.floor(TABLES.length / 2)) failpoint('migrate-to-postgres:halfway')
    }

    // Rows came with their ids; the identity sequences must hand out the next ones after them.
    for (const { table, column } of await identityColumns(trx)) {
      await sql`SELECT setval(pg_get_serial_sequence(${table}, ${column}), COALESCE((SELECT MAX(${sql.ref(column)}) FROM ${sql.table(table)}), 0) + 1, false)`.execute(trx)
    }

    const tables: TableResult[] = []
    const differences: string[] = []
    for (const table of TABLES) {
      const from = sourceDigests.get(table.name)!
      const to = await targetDigest(trx, table)
      const [a, b] = [from.hex(), to.hex()]
      if (from.rows !== to.rows) differences.push(`${table.name}: ${from.rows} rows in SQLite, ${to.rows} in PostgreSQL`)
      else if (a !== b) differences.push(`${table.name}: same ${from.rows} rows, different contents (checksum ${a.slice(0, 12)} vs ${b.slice(0, 12)})`)
      tables.push({ name: table.name, rows: from.rows, checksum: a })
    }
    if (differences.length) {
      throw new CliError(`the copy does not match the SQLite database (${differences.join('; ')}); the target was left unchanged and database.url was not written: report this with the output of \`veche db status\``)
    }
    progress(`verified ${tables.length} tables: row counts and checksums match`)
    return { tables }
  })
}
