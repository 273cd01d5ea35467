// Opens a PostgreSQL database for an operator command (migrate-to-postgres, status, doctor) and turns
// a failed connection into one line naming the cause and the fix.
import { Kysely, PostgresDialect, sql } from 'kysely'
import { postgresPool, type DatabaseSettings } from '../../server/db/engine.ts'
import { connectProblem } from '../../server/db/postgres-problems.ts'
import type { Database } from '../../server/db/schema.ts'
import { CliError } from '../errors.ts'

// Their home is the server's data layer, which words its start failures the same way.
export { connectProblem, where } from '../../server/db/postgres-problems.ts'

/** How long a command waits for a connection before saying the server cannot be reached. */
const CONNECT_TIMEOUT_MS = 10_000

/** openPostgres returns Kysely on a small pool for `settings`; nothing connects until the first query. */
export function openPostgres(settings: DatabaseSettings): Kysely<Database> {
  const pool = postgresPool(settings, { max: 2, connectTimeoutMs: CONNECT_TIMEOUT_MS })
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
}

/** connect runs a first query, throwing CliError from connectProblem when the server cannot be used. */
export async function connect(db: Kysely<Database>, url: string, urlName: string): Promise<void> {
  try {
    await sql`SELECT 1`.execute(db)
  } catch (err) {
    throw new CliError(connectProblem(err, url, urlName))
  }
}
