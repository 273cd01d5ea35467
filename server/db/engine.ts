// Owns the choice of database engine: Kysely over the appliance's SQLite connection (the default, a
// file in the data folder) or over a pg Pool for a `postgres://` database.url. Nothing else opens a
// PostgreSQL connection.
//
// The plan (issue 14), and where it stands:
//  1. Done: one migration set (./migrations/NNNN-name.sql, written for SQLite; forDialect() in
//     migrations.ts maps types and keeps `-- postgres only` / `-- sqlite only` lines), the schema
//     version recorded in schema_migrations on both engines, PostgreSQL's run under an advisory
//     lock; the typed Database interface (schema.ts); createDb() below; database.url in config/.
//  2. Transition, one repository at a time: a converted repository takes the DataLayer and
//     returns promises; its callers await. On SQLite, createDb() wraps the very better-sqlite3
//     connection openDatabase() returned, so converted and unconverted repositories share one
//     connection and one file. Rule while both styles live: a Kysely *transaction* on SQLite would
//     absorb every synchronous write made while it awaits, so until every writer of the tables it
//     touches is converted, converted code uses single statements only, and the synchronous
//     db.transaction() callers convert together with every repository they call, as one step
//     each. Done: no synchronous transaction is left (the last were around users and sessions).
//  3. Converted: meeting-statistics.ts (the pattern: createX(layer: DataLayer), async methods,
//     callers await; its test runs on both engines through test/engines.ts eachEngine()),
//     audit-repository.ts, recordings-repository.ts, invitations-repository.ts (its record is one
//     multi-row INSERT now, atomic without a transaction), rooms-repository.ts and
//     meeting-history-repository.ts (endMeeting, endDangling and purgeBefore are statements in
//     an order that a stop between them leaves consistent, no transaction; its recorder in
//     server/history queues its writes, so a stay still gets its meeting's id), and
//     license-repository.ts (saveActivated is one Kysely transaction of its own, or part of the
//     caller's when its `db` is a Transaction; doctor's checks read it on their read-only handle;
//     the server polls changeMark() for what the CLI installed), and last users-repository.ts and
//     sessions-repository.ts (the sign-in and join hot paths: a session's lookup and its user's
//     row are precompiled() below, compiled once and run with new parameters; bench/join-latency.ts
//     before and after is in bench/README.md). With them went runInSyncTransaction(),
//     readInSyncTransaction() and the repositories' built-but-unrun `queries`.
//     SQL that differs per engine stays in the repository behind `engine === 'postgres'` (MAX(a, b)
//     vs GREATEST, strftime vs to_char, INSERT OR REPLACE vs ON CONFLICT, lastInsertRowid vs
//     RETURNING id, error codes: SQLITE_CONSTRAINT_UNIQUE vs pg 23505).
//  4. services/: eraseUser, block/unblock, reset password, invitations within limits, retention,
//     license install (done: services/license.ts installLicense, called by routes/license.ts,
//     `veche activate` and `veche license install*`) move out of routes and CLI commands into
//     server/services/, each one
//     db.transaction().execute(); routes parse, call, answer. Done for accounts:
//     services/users.ts (add within the license, first owner, role, block/unblock, reset password,
//     unlock, delete with anonymisation through privacy/erase-user.ts), each in inTransaction()
//     below, on PostgreSQL under an advisory lock so that concurrent account changes cannot
//     remove the last owner; routes/users.ts, routes/setup.ts and `veche admin` call it. Then
//     response schemas (TypeBox) per route, and the web client imports their types.
//  5. Done: no repository takes the better-sqlite3 handle. plugins/database.ts opens either engine:
//     for a database.url, createDb() and migratePostgres() under its advisory lock, a start that
//     fails in one line naming database.url and the cause (postgres-problems.ts: unreachable,
//     wrong password, a schema from a newer release), 503 `database_unavailable` naming the
//     database while PostgreSQL is away (app.ts's error handler asks app.databaseAway()), /readyz
//     not ready, and the pool reconnecting by itself when it returns. app.db is the SQLite file's
//     connection, undefined on PostgreSQL. `veche db migrate-to-postgres` writes database.url and
//     says to restart; `veche db status`, backup on PostgreSQL and doctor's checks exist.
//     The CLI's commands that write the workspace (admin, activate, license, serve --dev) open the
//     configured engine through cli/data-layer.ts openDataLayer(). Left: `veche update`'s license
//     check (cli/update/context.ts) and doctor's license and clock checks still read the SQLite file.
import { Kysely, PostgresDialect, SqliteDialect, type Compilable, type SqliteDatabase, type SqliteStatement } from 'kysely'
import pg from 'pg'
import { ConfigError } from '../../config/load.ts'
import { passwordSetting } from '../../config/password-setting.ts'
import { redactedUrl as redactedSettingUrl } from '../../config/redact.ts'
import type { Config } from '../../config/schema.ts'
import type { Db } from './database.ts'
import type { Database } from './schema.ts'

export type Engine = 'sqlite' | 'postgres'
export type DatabaseSettings = Config['database']

export interface DataLayer {
  engine: Engine
  db: Kysely<Database>
  /** close ends a PostgreSQL pool; on SQLite nothing (the connection's owner closes it). */
  close(): Promise<void>
}

/** A database setting that cannot work; a ConfigError, so the CLI prints its message without a stack. */
export class DatabaseConfigError extends ConfigError {
  override name = 'DatabaseConfigError'
}

/** usesPostgres tells whether the settings choose PostgreSQL (a non-empty database.url). */
export const usesPostgres = (settings: Pick<DatabaseSettings, 'url'>): boolean => settings.url !== ''

/**
 * sqliteKysely returns a Kysely instance on an open better-sqlite3 connection, sharing it with the
 * synchronous repositories. Statements are prepared once per SQL text and reused, so a query built
 * by Kysely costs what a hand-prepared one does. Destroying it leaves the connection open.
 */
export function sqliteKysely(connection: Db): Kysely<Database> {
  const statements = new Map<string, SqliteStatement>()
  const shared: SqliteDatabase = {
    // The connection belongs to whoever opened it (openDatabase's caller), who closes it.
    close() {},
    prepare(text) {
      let statement = statements.get(text)
      if (!statement) {
        statement = connection.prepare(text)
        // Query texts are few and fixed (values are parameters); the bound only guards against a leak.
        if (statements.size >= 1000) statements.delete(statements.keys().next().value!)
        statements.set(text, statement)
      }
      return statement
    },
  }
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: shared }) })
}

/** databasePassword returns the password from the settings or their file; undefined when neither has one. */
export const databasePassword = (settings: DatabaseSettings): string | undefined =>
  passwordSetting(settings.password, settings.passwordFile, 'database.passwordFile', (message) => new DatabaseConfigError(message))

/** redactedUrl is database.url fit for logs and error messages: the password replaced. */
export const redactedUrl = (url: string): string => redactedSettingUrl(url, 'database.url')

/** PostgreSQL's int8 (BIGINT, COUNT(*)) as a JS number: times in ms and row ids stay far below 2^53. */
const INT8_OID = 20
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
}

/**
 * postgresPool returns a pool for database.url, the password from the settings filled in when the URL
 * holds none. Connects lazily: an unreachable server shows at the first query, and after an outage
 * the next query reconnects. `onIdleError` hears of idle connections the server cut (a restart);
 * without a listener pg would throw them as an uncaught error and end the process. `connectTimeoutMs`
 * bounds each connection attempt (default: none).
 * Throws DatabaseConfigError for a URL that does not parse.
 */
export function postgresPool(
  settings: DatabaseSettings,
  options: { max?: number; onIdleError?: (err: Error) => void; connectTimeoutMs?: number } = {},
): pg.Pool {
  let url: URL
  try {
    url = new URL(settings.url)
  } catch {
    throw new DatabaseConfigError(`database.url is not a valid URL: ${redactedUrl(settings.url)}`)
  }
  const password = databasePassword(settings)
  if (!url.password && password !== undefined) url.password = encodeURIComponent(password)
  // connectTimeoutMs: an operator's command must fail naming the server, not wait forever on a
  // firewall that drops packets (pg's default is no timeout).
  const pool = new pg.Pool({ connectionString: url.toString(), max: options.max ?? 10, types, connectionTimeoutMillis: options.connectTimeoutMs ?? 0 })
  // The pool has already dropped the broken connection; queries in flight fail on their own.
  pool.on('error', (err) => options.onIdleError?.(err))
  return pool
}

/**
 * createDb returns the data layer the settings choose: PostgreSQL for a database.url, else Kysely
 * on `sqlite`, the connection openDatabase() returned; `poolOptions` go to postgresPool(). Throws
 * DatabaseConfigError when SQLite is chosen and no connection is given, or the URL is invalid. Migrating is the caller's
 * (openDatabase() for SQLite, migratePostgres() for PostgreSQL).
 */
export function createDb(
  settings: DatabaseSettings,
  sqlite?: Db,
  poolOptions: { onIdleError?: (err: Error) => void; connectTimeoutMs?: number } = {},
): DataLayer {
  if (usesPostgres(settings)) {
    const pool = postgresPool(settings, poolOptions)
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
    return { engine: 'postgres', db, close: () => db.destroy() }
  }
  if (!sqlite) throw new DatabaseConfigError('database.url is empty (SQLite) but no SQLite connection was opened')
  return { engine: 'sqlite', db: sqliteKysely(sqlite), close: async () => {} }
}

/**
 * inTransaction runs `work` in one database transaction and returns what it returns; repositories
 * made from the layer `work` gets run their queries inside it. A throw rolls everything back. On
 * SQLite the transaction holds the one connection, so other Kysely queries wait until it ends.
 */
export function inTransaction<T>(layer: DataLayer, work: (tx: DataLayer) => Promise<T>): Promise<T> {
  return layer.db.transaction().execute((trx) => work({ ...layer, db: trx }))
}

/**
 * precompiled compiles `query` once and returns a runner that executes it on `db` with new values
 * for its parameters, in the order they appear in the SQL: for the queries every request makes
 * (a session's user), where building and compiling would cost more than SQLite's lookup.
 */
export function precompiled<O>(db: Kysely<Database>, query: Compilable<O>): (...parameters: unknown[]) => Promise<O[]> {
  const compiled = query.compile()
  return async (...parameters) => {
    if (parameters.length !== compiled.parameters.length) {
      throw new Error(`precompiled query takes ${compiled.parameters.length} parameter(s), got ${parameters.length}: ${compiled.sql}`)
    }
    return (await db.executeQuery<O>({ ...compiled, parameters })).rows
  }
}

/** isUniqueViolation tells whether a write failed on a UNIQUE constraint, on either engine. */
export const isUniqueViolation = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505'
}
