// Runs a test body once per database engine: on a fresh SQLite file (Kysely on the connection the
// app opens) and on a fresh database of a PostgreSQL cluster shared by the test file, both migrated.
import tap, { type Test } from 'tap'
import { join } from 'node:path'
import { openDatabase } from '../server/db/database.ts'
import { createDb, type DataLayer, type Engine } from '../server/db/engine.ts'
import { migratePostgres } from '../server/db/migrations.ts'
import { tempDir } from './helper.ts'
import { startPostgresServer, type PostgresServer } from './postgres-server.ts'

export const ENGINES: Engine[] = ['sqlite', 'postgres']

let cluster: Promise<PostgresServer> | undefined

/** postgresCluster starts this test file's cluster on first use; it stops when the file's tests end. */
export const postgresCluster = (): Promise<PostgresServer> => (cluster ??= startPostgresServer(tap))

/** openEngine returns a migrated, empty database on `engine`, closed when `t` ends. */
export async function openEngine(t: Test, engine: Engine): Promise<DataLayer> {
  if (engine === 'sqlite') {
    const raw = openDatabase(join(tempDir(t), 'veche.db'))
    t.teardown(() => raw.close())
    return createDb({ url: '', password: '', passwordFile: '' }, raw)
  }
  const url = await (await postgresCluster()).createDatabase()
  const layer = createDb({ url, password: '', passwordFile: '' })
  t.teardown(() => layer.close())
  await migratePostgres(layer.db)
  return layer
}

/** eachEngine runs `body` as one subtest per engine, named `<name> (<engine>)`. */
export function eachEngine(t: Test, name: string, body: (t: Test, layer: DataLayer) => Promise<void>): void {
  for (const engine of ENGINES) t.test(`${name} (${engine})`, async (t) => body(t, await openEngine(t, engine)))
}

/** seedMembers writes member accounts with these ids (e-mail <id>@corp.example) for rows that refer to users. */
export async function seedMembers({ db }: DataLayer, ids: string[]): Promise<void> {
  await db
    .insertInto('users')
    .values(ids.map((id) => ({ id, email: `${id}@corp.example`, display_name: id, role: 'member' as const, password_hash: 'x', created_at: 0 })))
    .execute()
}
