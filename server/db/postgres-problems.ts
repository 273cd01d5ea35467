// Turns what pg throws into words for people: one line naming the database and the fix for a failed
// connection (the server's start and the operator's commands), and whether an error means the
// database is away (the server answers 503 then, and retries on the next request).
import { redactedUrl } from './engine.ts'

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

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE'])

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
  if (e.code === '57P03') {
    return `PostgreSQL at ${at} is starting up or shutting down (${e.message}): wait until it accepts connections`
  }
  return `cannot connect to PostgreSQL at ${at}: ${e.message || e.code}`
}

// pg's own words for a connection that broke or never came; they carry no code.
const BROKEN = /Connection terminated|not queryable|timeout exceeded when trying to connect|Connection ended|connect ECONNREFUSED/i

/**
 * isDatabaseAway tells whether `err` means the database cannot be reached now (down, restarting,
 * the network cut): worth a 503 and another try later, unlike a bad query. SQLSTATE class 08 is
 * "connection exception"; 57P01..57P03 are a shutdown or a start in progress.
 */
export function isDatabaseAway(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null
  if (!e || typeof e !== 'object') return false
  const code = typeof e.code === 'string' ? e.code : ''
  if (UNREACHABLE.has(code) || code.startsWith('08') || ['57P01', '57P02', '57P03'].includes(code)) return true
  return typeof e.message === 'string' && BROKEN.test(e.message)
}
