// Opens a PostgreSQL database for an operator command (migrate-to-postgres, status, doctor) and turns
// a failed connection into one line naming the cause and the fix.
import { Kysely, PostgresDialect, sql } from 'kysely'
import { postgresPool, redactedUrl, type DatabaseSettings } from '../../server/db/engine.ts'
import type { Database } from '../../server/db/schema.ts'
import { CliError } from '../errors.ts'

/** How long a command waits for a connection before saying the server cannot be reached. */
const CONNECT_TIMEOUT_MS = 10_000

/** openPostgres returns Kysely on a small pool for `settings`; nothing connects until the first query. */
export function openPostgres(settings: DatabaseSettings): Kysely<Database> {
  const pool = postgresPool(settings, { max: 2, connectTimeoutMs: CONNECT_TIMEOUT_MS })
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
}

/** where describes the database a URL names, without its password: role@host:port/database. */
export function where(url: string): string {
  try {
    const u = new URL(url)
    const user = u.username ? `${decodeURIComponent(u.username)}@` : ''
    return `${user}${u.hostname}:${u.port || '5432'}/${decodeURIComponent(u.pathname.slice(1)) || '(default database)'}`
  } catch {
    return redactedUrl(url)
  }
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET'])

/**
 * connectProblem returns one line for an error met while connecting to `url`: what failed and what
 * fixes it. `urlName` is how the operator gave the URL ("database.url", "the URL given").
 */
export function connectProblem(err: unknown, url: string, urlName: string): string {
  const e = err as Error & { code?: string }
  const at = `${where(url)} (${urlName})`
  const role = (() => {
    try {
      return decodeURIComponent(new URL(url).username) || 'the default role'
    } catch {
      return 'the role'
    }
  })()
  if ((e.code && UNREACHABLE.has(e.code)) || /timeout/i.test(e.message)) {
    return `cannot reach PostgreSQL at ${at}: ${e.message || e.code}: start the server, or correct the host and port in ${urlName}`
  }
  if (e.code === '28P01') {
    return `PostgreSQL refused the password of role ${role} at ${at}: set the right one in VECHE_DATABASE_PASSWORD or in the file database.passwordFile names`
  }
  // pg asks for a password only when the server wants one and none was given.
  if (/client password must be a string|password must be a string/i.test(e.message)) {
    return `PostgreSQL at ${at} asks a password for role ${role} and none is set: set VECHE_DATABASE_PASSWORD, or name a file in database.passwordFile`
  }
  if (e.code === '28000') {
    return `PostgreSQL at ${at} refused role ${role}: ${e.message}: create the role, or allow it in the server's pg_hba.conf`
  }
  if (e.code === '3D000') {
    return `${e.message} at ${at}: create it (as the postgres user: createdb -O ${role} <name>), or correct the database name in ${urlName}`
  }
  return `cannot connect to PostgreSQL at ${at}: ${e.message || e.code}`
}

/** connect runs a first query, throwing CliError from connectProblem when the server cannot be used. */
export async function connect(db: Kysely<Database>, url: string, urlName: string): Promise<void> {
  try {
    await sql`SELECT 1`.execute(db)
  } catch (err) {
    throw new CliError(connectProblem(err, url, urlName))
  }
}
