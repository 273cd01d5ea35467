// Whether a PostgreSQL database may receive an installation: nothing in it but, at most, Veche's own
// empty tables (what migratePostgres or an interrupted earlier run leaves behind).
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../server/db/schema.ts'
import { TABLES } from './tables.ts'

export interface TargetContents {
  /** Tables and views that are not Veche's, as schema.name. */
  foreign: string[]
  /** Veche's tables that hold rows (schema_migrations aside), with a count. */
  withRows: { name: string; rows: number }[]
}

const OURS = new Set<string>(TABLES.map((t) => t.name))

/** targetContents lists what in the database would stop a migration; both lists empty: go ahead. */
// Kysely<any>: the tables read here are the catalog's and whatever the database holds, not Database's.
export async function targetContents(db: Kysely<any>): Promise<TargetContents> {
  const { rows } = await sql<{ schema: string; name: string; ours: boolean }>`
    SELECT n.nspname AS schema, c.relname AS name, n.nspname = current_schema() AS ours
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
    ORDER BY 1, 2`.execute(db)
  const foreign: string[] = []
  const withRows: { name: string; rows: number }[] = []
  for (const r of rows) {
    if (!r.ours || !OURS.has(r.name)) {
      foreign.push(`${r.schema}.${r.name}`)
      continue
    }
    if (r.name === 'schema_migrations') continue
    const count = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(r.name)}`.execute(db)
    const n = count.rows[0]?.n ?? 0
    if (n > 0) withRows.push({ name: r.name, rows: n })
  }
  return { foreign, withRows }
}

/** notEmptyMessage says why `target` cannot receive the data and what to do; undefined when it can. */
export function notEmptyMessage(contents: TargetContents, target: string): string | undefined {
  const { foreign, withRows } = contents
  if (!foreign.length && !withRows.length) return undefined
  const shown = (names: string[]): string => (names.length > 8 ? `${names.slice(0, 8).join(', ')} and ${names.length - 8} more` : names.join(', '))
  const parts: string[] = []
  if (foreign.length) parts.push(`tables that are not Veche's: ${shown(foreign)}`)
  if (withRows.length) parts.push(`Veche's tables with rows: ${shown(withRows.map((t) => `${t.name} (${t.rows})`))}`)
  const earlier = withRows.length
    ? '; if an earlier `veche db migrate-to-postgres` finished, its copy is there: drop and recreate the database to copy again'
    : ''
  return `the target database ${target} is not empty (${parts.join('; ')}): give an empty database (as the postgres user: createdb -O <role> <name>)${earlier}; nothing was changed`
}
