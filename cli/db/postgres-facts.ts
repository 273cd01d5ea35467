// What doctor asks of a PostgreSQL database in one connection: the server's version, the schema
// version, and what the role may do. A failed connection is kept as its one-line problem.
import { sql } from 'kysely'
import type { DatabaseSettings } from '../../server/db/engine.ts'
import { postgresSchemaVersion } from '../../server/db/migrations.ts'
import { connectProblem, openPostgres, where } from './postgres.ts'

export interface PostgresFacts {
  location: string
  serverVersion: string
  /** e.g. 150004 for 15.4. */
  serverVersionNum: number
  schemaVersion: number
  role: string
  superuser: boolean
  /** The schema Veche's tables are created in (the first of search_path that exists). */
  ownSchema: string | null
  /** Other schemas (system ones aside) the role may create tables in. */
  createElsewhere: string[]
}

export type PostgresProbe = { facts: PostgresFacts; problem?: undefined } | { facts?: undefined; problem: string }

/** probePostgres connects with `settings` and gathers the facts; never throws. */
export async function probePostgres(settings: DatabaseSettings): Promise<PostgresProbe> {
  let db
  try {
    db = openPostgres(settings)
  } catch (err) {
    return { problem: (err as Error).message }
  }
  try {
    const { rows } = await sql<{ version: string; num: string; role: string; superuser: boolean; schema: string | null }>`
      SELECT current_setting('server_version') AS version, current_setting('server_version_num') AS num,
             current_user AS role, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
             current_schema() AS schema`.execute(db)
    const r = rows[0]!
    const elsewhere = await sql<{ name: string }>`
      SELECT nspname AS name FROM pg_namespace
      WHERE nspname IS DISTINCT FROM current_schema() AND nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'
        AND has_schema_privilege(oid, 'CREATE')
      ORDER BY 1`.execute(db)
    return {
      facts: {
        location: where(settings.url),
        serverVersion: r.version,
        serverVersionNum: Number(r.num),
        schemaVersion: await postgresSchemaVersion(db),
        role: r.role,
        superuser: r.superuser,
        ownSchema: r.schema,
        createElsewhere: elsewhere.rows.map((e) => e.name),
      },
    }
  } catch (err) {
    return { problem: connectProblem(err, settings.url, 'database.url') }
  } finally {
    await db.destroy()
  }
}
