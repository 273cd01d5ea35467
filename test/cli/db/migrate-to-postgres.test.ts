// `veche db migrate-to-postgres` and `veche db status` through the real CLI, from a SQLite installation
// filled by the real CLI and server into a real PostgreSQL 15 (one cluster for the file).
import t from 'tap'
import { spawn } from 'node:child_process'
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Kysely, sql } from 'kysely'
import pg from 'pg'
import { pino } from 'pino'
import { loadConfig } from '../../../config/load.ts'
import { copyAll } from '../../../cli/db/copy.ts'
import { openSnapshot } from '../../../cli/db/sqlite-source.ts'
import { TABLES } from '../../../cli/db/tables.ts'
import { contextFor } from '../../../cli/doctor/context.ts'
import { CHECKS } from '../../../cli/doctor/registry.ts'
import { runChecks, selectChecks } from '../../../cli/doctor/run-checks.ts'
import { buildApp } from '../../../server/app.ts'
import { openDatabase } from '../../../server/db/database.ts'
import { createDb } from '../../../server/db/engine.ts'
import { migratePostgres } from '../../../server/db/migrations.ts'
import type { Database } from '../../../server/db/schema.ts'
import { postgresCluster } from '../../engines.ts'
import { isolatedSettings, sessionCookie, tempDir } from '../../helper.ts'
import { prepareDataDir } from '../../license-helper.ts'
import { freePort } from '../../kits.ts'
import { PG_USER } from '../../postgres-server.ts'
import { startServer, VECHE } from '../../server-process.ts'

interface Outcome {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** veche runs the real CLI without blocking this process (the test's PostgreSQL answers meanwhile). */
function veche(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(VECHE, args, { env: { ...process.env, VECHE_CONFIG: undefined, VECHE_FAILPOINTS: undefined, ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => (stdout += String(c)))
    child.stderr.on('data', (c) => (stderr += String(c)))
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
}

const OWNER = { email: 'Olga@Corp.example', name: 'Ольга Владелец', password: 'correct horse battery' }
const CONFIG_HEAD = '# Veche on this box: kept by the operator.\n'

/** configText is an operator's config file with comments, database.url empty. */
function configText(dataDir: string): string {
  const sections = new Map<string, string[]>()
  for (const kv of [...isolatedSettings(dataDir), 'log.level=silent']) {
    const [key, value] = kv.split('=') as [string, string]
    const [section, name] = key.split('.') as [string, string]
    sections.set(section, [...(sections.get(section) ?? []), `  ${name}: ${value} # set by the test`])
  }
  sections.set('database', ['  # Empty: SQLite in the data folder.', '  url: ""'])
  return CONFIG_HEAD + [...sections].map(([section, lines]) => `${section}:\n${lines.join('\n')}\n`).join('\n')
}

/** An installation filled once through the CLI and the server; each test copies its database. */
const installation = (async () => {
  const dataDir = tempDir(t, 'veche-migrate-')
  await prepareDataDir(dataDir, OWNER)
  const config = loadConfig({ set: [...isolatedSettings(dataDir), 'log.level=silent'] })
  const app = await buildApp({ config, dataDir, logger: pino({ level: 'silent' }), caCert: 'test-ca' })
  try {
    await app.ready()
    const signin = await app.inject({ method: 'POST', url: '/api/auth/signin', payload: { email: OWNER.email, password: OWNER.password } })
    const owner = sessionCookie(signin)
    const members = []
    for (const [email, displayName] of [['boris@corp.example', 'Борис'], ['anna@corp.example', 'Anna "quoted" \\ slash'], ['Zoe@corp.example', 'Zoë 😀']]) {
      const made = await app.inject({ method: 'POST', url: '/api/users', headers: { cookie: owner }, payload: { email, displayName, password: 'member password 1', role: 'member' } })
      if (made.statusCode !== 201) throw new Error(`create user: ${made.statusCode} ${made.body}`)
      members.push(made.json().user.id as string)
    }
    const blocked = await app.inject({ method: 'POST', url: `/api/users/${members[0]}/block`, headers: { cookie: owner }, payload: {} })
    if (blocked.statusCode !== 200) throw new Error(`block: ${blocked.statusCode} ${blocked.body}`)
    const rooms = []
    for (const title of ['Планёрка', 'Board', 'a room']) {
      const res = await app.inject({ method: 'POST', url: '/api/rooms', headers: { cookie: owner }, payload: { title } })
      if (res.statusCode !== 201) throw new Error(`create room: ${res.statusCode} ${res.body}`)
      rooms.push(res.json().room.id as string)
    }
    // Meeting history and invitations as their repositories store them, written through the app's
    // Kysely layer: those repositories are being converted (server/db/engine.ts, step 2) and their
    // signatures move, the rows do not.
    const db = app.dataLayer.db
    const start = Date.UTC(2026, 10, 2, 9)
    for (let m = 0; m < 3; m++) {
      const { id: meetingId } = await db.insertInto('meetings').values({ room_id: rooms[m]!, room_title: `meeting ${m}`, started_at: start + m * 3_600_000, ended_at: m === 2 ? null : start + m * 3_600_000 + 60_000 }).returning('id').executeTakeFirstOrThrow()
      for (let p = 0; p < 40; p++) {
        const { id: participantId } = await db
          .insertInto('meeting_participants')
          .values({
            meeting_id: meetingId, user_id: p % 2 ? members[2]! : null, display_name: `Гость ${p}`, kind: p % 2 ? 'internal' : 'guest', joined_at: start + p * 1000,
            left_at: p % 4 === 0 ? start + p * 2000 : null, user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131', browser: 'Chrome 131', os: 'Linux',
            ip: `10.0.0.${p}`, via_proxy: p % 3 === 0 ? 1 : 0, forwarded_for: p % 3 === 0 ? '10.0.0.1' : null,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
        await db.insertInto('meeting_chat').values({ meeting_id: meetingId, participant_id: participantId, sender_name: `Гость ${p}`, text: `привет {"json": [${p}]} \n line two`, sent_at: start + p * 1000 + 1 }).execute()
      }
      await db.insertInto('usage_peaks').values({ day: `2026-11-0${m + 2}`, peak_rooms: 3, peak_participants: 40 + m, peak_meeting_participants: 40 }).execute()
    }
    await db
      .insertInto('invitations')
      .values([
        { room_id: rooms[1]!, sender_id: members[2]!, sender_name: 'Zoë 😀', recipient: 'partner@elsewhere.example', created_at: start, scheduled_at: start, sent_at: start + 5, status: 'sent', reason: null },
        { room_id: rooms[1]!, sender_id: members[2]!, sender_name: 'Zoë 😀', recipient: 'x@y.example', created_at: start, scheduled_at: start, sent_at: null, status: 'refused', reason: 'daily limit' },
      ])
      .execute()
    await app.recordingsRepository.create({ roomId: rooms[0]!, roomTitle: 'Планёрка', roomOwnerId: null, startedBy: null, startedByName: OWNER.name, startedAt: start })
    if (app.license.state.status !== 'active') throw new Error(`license not active: ${app.license.state.status}`)
  } finally {
    await app.close()
  }
  return join(dataDir, 'veche.db')
})()

interface Box {
  dataDir: string
  configFile: string
}

/** box is a fresh copy of the installation: its data folder and config file. */
async function box(tt: Parameters<typeof tempDir>[0]): Promise<Box> {
  const dataDir = join(tempDir(tt, 'veche-box-'), 'data')
  mkdirSync(dataDir)
  copyFileSync(await installation, join(dataDir, 'veche.db'))
  const configFile = join(dataDir, '..', 'veche.yaml')
  writeFileSync(configFile, configText(dataDir), { mode: 0o640 })
  return { dataDir, configFile }
}

const migrate = (b: Box, url: string, env: NodeJS.ProcessEnv = {}) => veche(['db', 'migrate-to-postgres', url, '--config', b.configFile], env)

/** rowsOf reads every table in key order, text keys byte-wise, as plain JSON per row. */
async function rowsOf(db: Kysely<Database>, engine: 'sqlite' | 'postgres'): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {}
  for (const table of TABLES) {
    const order = engine === 'postgres' && table.key.text ? sql`${sql.ref(table.key.column)} COLLATE "C"` : sql.ref(table.key.column)
    const { rows } = await sql<Record<string, unknown>>`SELECT ${sql.join(table.columns.map((c) => sql.ref(c)))} FROM ${sql.table(table.name)} ORDER BY ${order}`.execute(db)
    out[table.name] = rows.map((r) => JSON.stringify(table.columns.map((c) => r[c])))
  }
  return out
}

/** doctorChecks runs doctor's checks in this process on `configFile` with `env` and `set` (faster than the CLI). */
async function doctorChecks(configFile: string, names: string, options: { env?: NodeJS.ProcessEnv; set?: string[]; fix?: boolean } = {}) {
  const ctx = contextFor({ config: loadConfig({ file: configFile, env: options.env ?? {}, set: options.set ?? [] }) }, configFile)
  return await runChecks(selectChecks(CHECKS, names.split(',')), ctx, options.fix ?? false)
}

async function rowCount(url: string, table: string): Promise<number> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return Number((await client.query(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0].n)
  } finally {
    await client.end()
  }
}

t.test('moves every table; counts and checksums match; database.url is written last, without a secret', async (t) => {
  const b = await box(t)
  const url = await (await postgresCluster()).createDatabase()
  const before = await veche(['db', 'status', '--json', '--config', b.configFile])
  t.equal(before.code, 0, before.stderr)
  const sqliteStatus = JSON.parse(before.stdout) as { engine: string; tables: { name: string; rows: number }[]; schemaVersion: number; releaseSchemaVersion: number }
  t.equal(sqliteStatus.engine, 'sqlite')
  t.equal(sqliteStatus.schemaVersion, sqliteStatus.releaseSchemaVersion)
  const counts = Object.fromEntries(sqliteStatus.tables.map((x) => [x.name, x.rows]))
  for (const table of ['users', 'sessions', 'rooms', 'license', 'clock', 'recordings', 'audit_log', 'meetings', 'meeting_participants', 'meeting_chat', 'usage_peaks', 'invitations', 'schema_migrations']) {
    t.ok(counts[table]! > 0, `the installation has ${table} rows (${counts[table]})`)
  }

  const r = await migrate(b, url, { VECHE_DATABASE_PASSWORD: 'not-needed-here' })
  t.equal(r.code, 0, r.stderr)
  t.comment(`veche db migrate-to-postgres said:\n${r.stdout}`)
  t.match(r.stdout, /copied meeting_chat: 120 rows/)
  t.match(r.stdout, /verified 15 tables: row counts and checksums match/)
  t.match(r.stdout, `database.url written to ${b.configFile}`)
  t.match(r.stdout, /restart the server to run on PostgreSQL: systemctl restart veche\.service/)

  const text = readFileSync(b.configFile, 'utf8')
  t.ok(text.startsWith(CONFIG_HEAD), 'the file keeps its comments')
  t.match(text, /host: 127\.0\.0\.1 # set by the test/)
  t.match(text, `url: "${url}"`)
  t.notMatch(text, /not-needed-here|password/, 'no password is written')
  t.equal(loadConfig({ file: b.configFile }).database.url, url)

  // Independently of the command's own check: every row, value for value.
  const raw = openDatabase(join(b.dataDir, 'veche.db'))
  t.teardown(() => raw.close())
  const target = createDb({ url, password: '', passwordFile: '' })
  t.teardown(() => target.close())
  const [fromSqlite, fromPostgres] = [await rowsOf(createDb({ url: '', password: '', passwordFile: '' }, raw).db, 'sqlite'), await rowsOf(target.db, 'postgres')]
  t.same(fromPostgres, fromSqlite, 'every table holds the same rows in the same key order')

  // Identity sequences continue after the copied ids.
  const maxAudit = Math.max(...fromSqlite.audit_log!.map((r) => JSON.parse(r)[0] as number))
  const inserted = await target.db.insertInto('audit_log').values({ at: Date.now(), actor_id: null, actor_name: 'test', action: 'test', target_id: null, target_name: null }).returning('id').executeTakeFirstOrThrow()
  t.equal(inserted.id, maxAudit + 1, 'a new audit entry takes the next id')

  const after = await veche(['db', 'status', '--json', '--config', b.configFile])
  t.equal(after.code, 0, after.stderr)
  const pgStatus = JSON.parse(after.stdout) as { engine: string; location: string; serverVersion: string; tables: { name: string; rows: number }[] }
  t.equal(pgStatus.engine, 'postgres')
  t.match(pgStatus.location, new RegExp(`^${PG_USER}@127\\.0\\.0\\.1:\\d+/t_\\d+$`))
  t.match(pgStatus.serverVersion, /^15\./)
  t.same(Object.fromEntries(pgStatus.tables.map((x) => [x.name, x.rows])), { ...counts, audit_log: counts.audit_log! + 1 })
  const human = await veche(['db', 'status', '--config', b.configFile])
  t.match(human.stdout, /^engine: +PostgreSQL 15\./m)
  t.match(human.stdout, /^schema: +\d+ \(this release's\)$/m)

  const again = await migrate(b, url)
  t.equal(again.code, 1)
  t.match(again.stderr, /database\.url is already set in this configuration/)
})

t.test('a target that is not empty is refused, naming its tables; nothing changes', async (t) => {
  const b = await box(t)
  const url = await (await postgresCluster()).createDatabase()
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  await client.query('CREATE TABLE invoices (id int)')
  await client.end()
  const config = readFileSync(b.configFile, 'utf8')
  const r = await migrate(b, url)
  t.equal(r.code, 1)
  t.match(r.stderr, /^veche: the target database .* is not empty \(tables that are not Veche's: public\.invoices\): give an empty database/)
  t.equal(readFileSync(b.configFile, 'utf8'), config, 'the config file is unchanged')
  t.equal(await rowCount(url, "pg_tables WHERE schemaname = 'public'"), 1, 'no table was created')
})

t.test('a target written by a newer release is refused, naming the release to install', async (t) => {
  const b = await box(t)
  const url = await (await postgresCluster()).createDatabase()
  const layer = createDb({ url, password: '', passwordFile: '' })
  await migratePostgres(layer.db)
  await layer.db.insertInto('schema_migrations').values({ version: 9999, name: 'future', applied_at: 0 }).execute()
  await layer.close()
  const r = await migrate(b, url)
  t.equal(r.code, 1)
  t.match(r.stderr, /schema version 9999, written by a newer Veche release \(this one knows \d+\): install that release/)
})

t.test('killed halfway, the target stays empty and a second run starts over and succeeds', async (t) => {
  const b = await box(t)
  const url = await (await postgresCluster()).createDatabase()
  const config = readFileSync(b.configFile, 'utf8')
  const killed = await migrate(b, url, { VECHE_FAILPOINTS: 'migrate-to-postgres:halfway' })
  t.equal(killed.signal, 'SIGKILL', killed.stderr)
  t.match(killed.stdout, /copied users: 4 rows/, 'it was copying')
  t.equal(readFileSync(b.configFile, 'utf8'), config, 'the config file is unchanged')
  t.equal(await rowCount(url, 'users'), 0, 'the copy was never committed')
  const again = await migrate(b, url)
  t.equal(again.code, 0, again.stderr)
  t.match(again.stdout, /verified 15 tables/)
  t.equal(await rowCount(url, 'users'), 4)
  t.equal(loadConfig({ file: b.configFile }).database.url, url)
})

t.test('connection problems are named with their fix: unreachable, wrong or missing password', async (t) => {
  const b = await box(t)
  const cluster = await postgresCluster()
  // Refused before the update lock is taken, so the two may run at once.
  const [unreachable, withPassword] = await Promise.all([
    migrate(b, 'postgres://veche@127.0.0.1:1/veche'),
    migrate(b, `postgres://veche:secret@127.0.0.1:${cluster.port}/x`),
  ])
  t.equal(unreachable.code, 1)
  t.match(unreachable.stderr, /^veche: cannot reach PostgreSQL at veche@127\.0\.0\.1:1\/veche \(the URL given\): .*ECONNREFUSED.*: start the server, or correct the host and port/)
  t.match(withPassword.stderr, /the URL holds a password, which would be written into the config file/)

  // A role that signs in with a password, as a DBA would set it up: trust stays for the test's superuser.
  const admin = new pg.Client({ host: '127.0.0.1', port: cluster.port, user: PG_USER, database: 'postgres' })
  await admin.connect()
  await admin.query("CREATE ROLE app LOGIN PASSWORD 'right-password'")
  await admin.query('CREATE DATABASE app_db OWNER app')
  const hba = (await admin.query('SHOW hba_file')).rows[0].hba_file as string
  writeFileSync(hba, `local all all trust\nhost all ${PG_USER} 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n`)
  await admin.query('SELECT pg_reload_conf()')
  await admin.end()
  const url = `postgres://app@127.0.0.1:${cluster.port}/app_db`
  const wrong = await migrate(b, url, { VECHE_DATABASE_PASSWORD: 'wrong-password' })
  t.equal(wrong.code, 1)
  t.match(wrong.stderr, /^veche: PostgreSQL refused the password of role app at app@127\.0\.0\.1:\d+\/app_db \(the URL given\): set the right one in VECHE_DATABASE_PASSWORD/)
  const none = await migrate(b, url)
  t.match(none.stderr, /asks a password for role app and none is set: set VECHE_DATABASE_PASSWORD/)

  // The right password from a file named in the config: the role, no superuser, owns its database.
  const passwordFile = join(b.dataDir, '..', 'db-password')
  writeFileSync(passwordFile, 'right-password\n', { mode: 0o600 })
  const right = await migrate(b, url, { VECHE_DATABASE_PASSWORD_FILE: passwordFile })
  t.equal(right.code, 0, right.stderr)
  t.notMatch(readFileSync(b.configFile, 'utf8'), /right-password/)

  // doctor on the migrated installation, as that role.
  const doctor = await veche(['doctor', '--json', '--run', 'database-connection,database-server,database,database-role', '--config', b.configFile], { VECHE_DATABASE_PASSWORD_FILE: passwordFile })
  const checks = Object.fromEntries((JSON.parse(doctor.stdout) as { checks: { name: string; status: string; message: string }[] }).checks.map((c) => [c.name, `${c.status}: ${c.message}`]))
  t.match(checks['database-connection'], /^ok: PostgreSQL: connected to app@127\.0\.0\.1:\d+\/app_db$/)
  t.match(checks['database-server'], /^ok: PostgreSQL 15\./)
  t.match(checks.database, /^ok: app@.*: schema version \d+$/)
  t.match(checks['database-role'], /^ok: role app is no superuser and creates tables only in schema public$/)
  const failed = await doctorChecks(b.configFile, 'database-connection,database', { env: { VECHE_DATABASE_PASSWORD: 'wrong-password' } })
  t.match(failed[0], { name: 'database-connection', status: 'error', message: /refused the password of role app .*\(database\.url\)/ })
  t.match(failed[1], { name: 'database', status: 'skipped' })
})

t.test('doctor on SQLite says so and passes; on PostgreSQL it warns of a superuser role and a schema behind', async (t) => {
  const b = await box(t)
  const lines = await doctorChecks(b.configFile, 'database-connection,database-server,database,database-role')
  t.same(lines.map((c) => c.status), ['ok', 'ok', 'ok', 'ok'], JSON.stringify(lines))
  t.match(lines[0]!.message, /^SQLite: /)
  const url = await (await postgresCluster()).createDatabase()
  const set = [`database.url=${url}`]
  const [schema, role] = await doctorChecks(b.configFile, 'database,database-role', { set })
  t.match(schema, { status: 'error', message: /holds no Veche schema yet: `veche doctor --fix` migrates it/ })
  t.match(role, { status: 'warning', message: new RegExp(`role ${PG_USER} is a superuser`) })
  const [fixed] = await doctorChecks(b.configFile, 'database', { set, fix: true })
  t.match(fixed, { status: 'ok', fixed: /migrated schema version 0 to \d+/ })
})

t.test('refused while a server runs on the data folder', async (t) => {
  const b = await box(t)
  const port = await freePort()
  await startServer(t, b.dataDir, [`server.port=${port}`])
  const url = await (await postgresCluster()).createDatabase()
  const r = await veche(['db', 'migrate-to-postgres', url, '--config', b.configFile, '--set', `server.port=${port}`])
  t.equal(r.code, 1)
  t.match(r.stderr, new RegExp(`^veche: Veche \\S+ answers at https://127\\.0\\.0\\.1:${port}/healthz and would go on writing to SQLite: stop it \\(systemctl stop veche\\.service\\), then run this again; nothing was changed`))
  t.equal(await rowCount(url, "pg_tables WHERE schemaname = 'public'"), 0)
})

t.test('the copy reads one snapshot: rows written to SQLite meanwhile are not half taken', async (t) => {
  const b = await box(t)
  const url = await (await postgresCluster()).createDatabase()
  const target = createDb({ url, password: '', passwordFile: '' })
  t.teardown(() => target.close())
  await migratePostgres(target.db)
  const writer = openDatabase(join(b.dataDir, 'veche.db'))
  t.teardown(() => writer.close())
  const snapshot = openSnapshot(join(b.dataDir, 'veche.db'))
  t.teardown(() => snapshot.close())
  const before = (writer.prepare('SELECT COUNT(*) AS n FROM meeting_chat').get() as { n: number }).n
  // After each table, another connection writes to tables copied before and after it (the server would).
  let written = 0
  const result = await copyAll(target.db, snapshot, 'test target', () => {
    writer.prepare("INSERT INTO meeting_chat (meeting_id, participant_id, sender_name, text, sent_at) VALUES (1, NULL, 'late', 'written meanwhile', 0)").run()
    writer.prepare("INSERT INTO audit_log (at, actor_name, action) VALUES (0, 'late', 'test')").run()
    written++
  })
  t.ok(written >= TABLES.length, 'the writer wrote during the copy')
  t.equal(result.tables.find((x) => x.name === 'meeting_chat')!.rows, before, 'the copy holds the snapshot, none of the rows written meanwhile')
  t.equal(await rowCount(url, 'meeting_chat'), before)
})

t.test('values SQLite let through that PostgreSQL cannot hold stop the copy, naming the table; nothing is kept', async (t) => {
  const b = await box(t)
  const file = join(b.dataDir, 'veche.db')
  // SQLite's columns take any type: bytes in a TEXT column, a fraction in an INTEGER one.
  const raw = openDatabase(file)
  raw.prepare("UPDATE rooms SET title = x'00ff' WHERE title = 'Board'").run()
  raw.close()
  const url = await (await postgresCluster()).createDatabase()
  const config = readFileSync(b.configFile, 'utf8')
  const r = await migrate(b, url)
  t.equal(r.code, 1)
  t.match(r.stderr, /^veche: copying table rooms failed at row \d \(id "[\w-]+"\) \(in id order\): column title holds a Buffer .*, not a number, text or NULL; the target was left unchanged/)
  t.equal(readFileSync(b.configFile, 'utf8'), config)
  t.equal(await rowCount(url, 'users'), 0)

  const again = openDatabase(file)
  again.prepare("UPDATE rooms SET title = 'Board' WHERE typeof(title) = 'blob'").run()
  again.prepare('UPDATE recordings SET duration_ms = 1500.5').run()
  again.close()
  const refused = await migrate(b, url)
  t.equal(refused.code, 1)
  t.match(refused.stderr, /^veche: copying table recordings failed at rows 1-1 \(in id order\): invalid input syntax for type bigint: "1500\.5"; the target was left unchanged/)
  t.equal(readFileSync(b.configFile, 'utf8'), config)
  t.equal(await rowCount(url, 'users'), 0)

  // An integer past 2^53 fits PostgreSQL's BIGINT, but would come back rounded: the checksums differ.
  const third = openDatabase(file)
  third.prepare('UPDATE recordings SET duration_ms = 1500').run()
  third.prepare('UPDATE audit_log SET at = 9007199254740993 WHERE id = (SELECT MIN(id) FROM audit_log)').run()
  third.close()
  const differs = await migrate(b, url)
  t.equal(differs.code, 1)
  t.match(differs.stderr, /^veche: the copy does not match the SQLite database \(audit_log: same \d+ rows, different contents \(checksum [0-9a-f]{12} vs [0-9a-f]{12}\)\); the target was left unchanged and database\.url was not written/)
  t.equal(readFileSync(b.configFile, 'utf8'), config)
  t.equal(await rowCount(url, 'audit_log'), 0)
})
