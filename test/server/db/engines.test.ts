// One migration set, two engines: the same tables, columns, types and indexes on a fresh SQLite file
// and a fresh PostgreSQL database; the same answers to the same Kysely queries; PostgreSQL's
// migrations run once when two servers start together; a newer schema is refused on both.
import t, { type Test } from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Fastify from 'fastify'
import { sql, type Kysely } from 'kysely'
import { openDatabase, type Db } from '../../../server/db/database.ts'
import { createDb, databasePassword, postgresPool, redactedUrl, type DataLayer, type DatabaseSettings } from '../../../server/db/engine.ts'
import { forDialect, listMigrations, MigrationError, migratePostgres, postgresSchemaVersion, schemaVersion } from '../../../server/db/migrations.ts'
import { TABLE_COLUMNS, type Database } from '../../../server/db/schema.ts'
import databasePlugin from '../../../server/plugins/database.ts'
import { loadConfig } from '../../../config/load.ts'
import { tempDir } from '../../helper.ts'
import { startPostgresServer, type PostgresServer } from '../../postgres-server.ts'

const settings = (url = ''): DatabaseSettings => ({ url, password: '', passwordFile: '' })
const LATEST = listMigrations().at(-1)!.version

let server: PostgresServer
t.before(async () => {
  server = await startPostgresServer(t)
})

function sqliteLayer(t: Test): { layer: DataLayer; raw: Db } {
  const raw = openDatabase(join(tempDir(t), 'veche.db'))
  t.teardown(() => raw.close())
  return { layer: createDb(settings(), raw), raw }
}

async function postgresLayer(t: Test, url?: string): Promise<DataLayer> {
  const layer = createDb(settings(url ?? (await server.createDatabase())))
  t.teardown(() => layer.close())
  return layer
}

interface Column {
  name: string
  type: 'integer' | 'text' | 'blob'
  notNull: boolean
}

/** The same words for both engines: BIGINT and INTEGER are integers, a primary key is never null. */
const normalType = (declared: string): Column['type'] => {
  const t = declared.toLowerCase()
  if (t.includes('int')) return 'integer'
  if (t === 'bytea' || t === 'blob') return 'blob'
  if (t === 'text') return 'text'
  throw new Error(`unexpected column type ${declared}`)
}

function sqliteShape(raw: Db): { tables: Record<string, Column[]>; indexes: string[] } {
  const names = raw.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all()
  const tables: Record<string, Column[]> = {}
  for (const name of names) {
    const info = raw.prepare(`PRAGMA table_info(${name})`).all() as { name: string; type: string; notnull: number; pk: number }[]
    tables[name] = info.map((c) => ({ name: c.name, type: normalType(c.type), notNull: c.notnull === 1 || c.pk > 0 }))
  }
  const indexes = raw
    .prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%' ORDER BY name")
    .pluck()
    .all()
  return { tables, indexes }
}

async function postgresShape(db: Kysely<Database>): Promise<{ tables: Record<string, Column[]>; indexes: string[] }> {
  const { rows } = await sql<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>`
    SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
    WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`.execute(db)
  const tables: Record<string, Column[]> = {}
  for (const r of rows) (tables[r.table_name] ??= []).push({ name: r.column_name, type: normalType(r.data_type), notNull: r.is_nullable === 'NO' })
  // Primary keys and UNIQUE constraints are implicit indexes on SQLite (sqlite_autoindex_*): left out on both.
  const indexes = await sql<{ indexname: string }>`
    SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()
      AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))
    ORDER BY indexname`.execute(db)
  return { tables, indexes: indexes.rows.map((r) => r.indexname) }
}

t.test('the migrations make the same tables, columns, types and indexes on both engines', async (t) => {
  const { raw } = sqliteLayer(t)
  const pg = await postgresLayer(t)
  t.equal(await migratePostgres(pg.db), LATEST, 'every migration applied on PostgreSQL')
  t.equal(await postgresSchemaVersion(pg.db), LATEST, 'and recorded')
  t.equal(schemaVersion(raw), LATEST)

  const lite = sqliteShape(raw)
  const post = await postgresShape(pg.db)
  t.same(Object.keys(post.tables).sort(), Object.keys(lite.tables).sort(), 'same tables')
  for (const [table, columns] of Object.entries(lite.tables)) t.same(post.tables[table], columns, `${table}: same columns in the same order`)
  t.same(post.indexes, lite.indexes, 'same indexes')
  const declared = Object.fromEntries(Object.entries(TABLE_COLUMNS).map(([table, columns]) => [table, [...columns]]))
  const migrated = Object.fromEntries(Object.entries(lite.tables).map(([table, columns]) => [table, columns.map((c) => c.name)]))
  t.same(migrated, declared, 'server/db/schema.ts names every table and column the migrations make')
})

t.test('SQLite runs the migration files as written; PostgreSQL gets its own types', async (t) => {
  const text = 'CREATE TABLE x (\n  id INTEGER PRIMARY KEY,\n  one INTEGER PRIMARY KEY CHECK (id = 1),\n  at INTEGER NOT NULL, -- INTEGER ms\n  e TEXT COLLATE NOCASE\n);\nSELECT 1; -- postgres only\nSELECT 2; -- sqlite only'
  t.equal(forDialect(text, 'sqlite'), text.replace('\nSELECT 1; -- postgres only', ''))
  t.equal(
    forDialect(text, 'postgres'),
    'CREATE TABLE x (\n  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n  one BIGINT PRIMARY KEY CHECK (id = 1),\n  at BIGINT NOT NULL, -- INTEGER ms\n  e TEXT COLLATE veche_nocase\n);\nSELECT 1; -- postgres only',
  )
})

async function roundTrip(t: Test, layer: DataLayer): Promise<void> {
  const { db } = layer
  const at = Date.UTC(2030, 0, 2, 3, 4, 5, 678)
  const { id } = await db
    .insertInto('audit_log')
    .values({ at, actor_id: null, actor_name: 'system', action: 'x.y', target_id: null, target_name: 'Ёлка', detail: '{"n":1}' })
    .returning('id')
    .executeTakeFirstOrThrow()
  t.type(id, 'number', `${layer.engine}: ids are numbers`)
  const row = await db.selectFrom('audit_log').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  t.same(row, { id, at, actor_id: null, actor_name: 'system', action: 'x.y', target_id: null, target_name: 'Ёлка', detail: '{"n":1}' }, `${layer.engine}: ms times past 2^32 come back as numbers`)
  const { n } = await db.selectFrom('audit_log').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  t.equal(n, 1, `${layer.engine}: COUNT(*) is a number`)

  const user = { display_name: 'A', role: 'member' as const, password_hash: 'x', created_at: at }
  await db.insertInto('users').values({ ...user, id: 'u1', email: 'Olga@Corp.Example' }).execute()
  await t.rejects(db.insertInto('users').values({ ...user, id: 'u2', email: 'olga@corp.example' }).execute(), `${layer.engine}: e-mail unique ignoring case`)
  const found = await db.selectFrom('users').select('id').where('email', '=', 'OLGA@corp.example').executeTakeFirst()
  t.same(found, { id: 'u1' }, `${layer.engine}: found ignoring case`)
  await db.insertInto('rooms').values({ id: 'r1', title: 'R', owner_id: 'u1', created_at: at }).execute()
  await db.deleteFrom('users').where('id', '=', 'u1').execute()
  t.equal((await db.selectFrom('rooms').selectAll().execute()).length, 0, `${layer.engine}: deleting a user takes their rooms`)
}

t.test('Kysely answers the same on SQLite (the shared connection) and PostgreSQL', async (t) => {
  const { layer, raw } = sqliteLayer(t)
  await roundTrip(t, layer)
  t.equal(raw.prepare('SELECT COUNT(*) FROM audit_log').pluck().get(), 1, 'the synchronous connection sees what Kysely wrote')
  const pg = await postgresLayer(t)
  await migratePostgres(pg.db)
  await roundTrip(t, pg)
})

t.test('two servers migrating one PostgreSQL database at once: each migration runs once', async (t) => {
  const url = await server.createDatabase()
  const [a, b] = [await postgresLayer(t, url), await postgresLayer(t, url)]
  const applied = await Promise.all([migratePostgres(a.db), migratePostgres(b.db), migratePostgres(a.db)])
  t.same(applied.toSorted(), [0, 0, LATEST], 'one applied everything, the others waited and found nothing to do')
  const rows = await sql<{ version: number }>`SELECT version FROM schema_migrations ORDER BY version`.execute(b.db)
  t.same(rows.rows.map((r) => r.version), listMigrations().map((m) => m.version), 'each recorded once')
})

t.test('PostgreSQL refuses a schema from a newer release, naming what to do', async (t) => {
  const pg = await postgresLayer(t)
  await migratePostgres(pg.db)
  await sql`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)`.execute(pg.db)
  await t.rejects(migratePostgres(pg.db), MigrationError)
  await t.rejects(migratePostgres(pg.db), { message: /schema version 999 is newer than this release knows .*veche update rollback/ })
})

t.test('database settings: empty url is SQLite; a password comes from the settings, the environment or a file', async (t) => {
  t.same(loadConfig().database, { url: '', password: '', passwordFile: '' }, 'defaults')
  t.throws(() => loadConfig({ set: ['database.url=mysql://x'] }), { message: /database\.url/ }, 'only postgres:// URLs')
  t.throws(() => loadConfig({ set: ['database.host=x'] }), { message: /unknown config key 'database.host'/ })
  t.equal(loadConfig({ env: { VECHE_DATABASE_PASSWORD: 's3cret' } }).database.password, 's3cret')

  const file = join(tempDir(t), 'db-password')
  writeFileSync(file, 'from file\n', { mode: 0o600 })
  t.equal(databasePassword({ url: 'postgres://h/d', password: '', passwordFile: file }), 'from file')
  t.equal(databasePassword({ url: 'postgres://h/d', password: 'inline', passwordFile: file }), 'inline', 'password wins over the file')
  t.throws(() => databasePassword({ url: 'postgres://h/d', password: '', passwordFile: join(file, 'missing') }), { message: /database\.passwordFile/ })

  const pool = postgresPool({ url: 'postgres://veche@db.corp.example/veche', password: 'p@ss word', passwordFile: '' })
  t.teardown(() => pool.end())
  t.equal(new URL(pool.options.connectionString!).password, encodeURIComponent('p@ss word'), 'the password joins a URL that has none')
  t.equal(redactedUrl('postgres://veche:hunter2@db/veche'), 'postgres://veche:***@db/veche', 'messages never show it')
  t.throws(() => createDb(settings()), { message: /no SQLite connection/ })
})

t.test('PostgreSQL restarting under an idle pool: no crash, the next query reconnects', async (t) => {
  const idleErrors: Error[] = []
  const layer = createDb(settings(await server.createDatabase()), undefined, { onIdleError: (err) => idleErrors.push(err) })
  t.teardown(() => layer.close())
  await migratePostgres(layer.db)
  await sql`SELECT 1`.execute(layer.db)
  await server.stop()
  await t.rejects(sql`SELECT 1`.execute(layer.db), 'while it is down, queries fail')
  t.ok(idleErrors.length >= 1, 'the cut idle connection was reported, not thrown')
  await server.start()
  const { rows } = await sql<{ v: number }>`SELECT MAX(version) AS v FROM schema_migrations`.execute(layer.db)
  t.same(rows, [{ v: LATEST }], 'back without a new pool')
})

t.test('a database.url the app cannot reach stops the start, naming it and the fix', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.register(databasePlugin, { dataDir: tempDir(t), database: settings('postgres://veche@db/veche') })
  await t.rejects(async () => { await app.ready() }, {
    name: 'DatabaseConfigError',
    message: /^cannot reach PostgreSQL at veche@db:5432\/veche \(database\.url\): .*: start the server, or correct the host and port in database\.url$/,
  })
})
