// A real PostgreSQL 15 (Debian's package) for tests: one cluster per test file in a temporary folder,
// on a free loopback port, run as the `postgres` user when the tests run as root (PostgreSQL refuses
// root). Each test takes a fresh database from it. Stopped by pid and deleted when the file's tests end.
import { execFileSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { freePort } from './kits.ts'

interface TestContext {
  teardown(fn: () => unknown): void
}

const BIN = '/usr/lib/postgresql/15/bin'
/** The superuser initdb creates; trust authentication on loopback, so no password. */
export const PG_USER = 'veche'

export interface PostgresServer {
  port: number
  /** The data directory's postmaster pid while running. */
  pid(): number | undefined
  /** createDatabase makes an empty database and returns its postgres:// URL. */
  createDatabase(): Promise<string>
  /** stop ends the server (fast shutdown: open sessions are cut) and waits until it is gone. */
  stop(): Promise<void>
  /** start runs it again on the same port with the same data. */
  start(): Promise<void>
}

/** asPostgres runs a PostgreSQL binary as the `postgres` user when we are root, else as ourselves. */
function asPostgres(bin: string, args: string[]): void {
  const [cmd, argv] = process.getuid?.() === 0 ? ['/usr/sbin/runuser', ['-u', 'postgres', '--', join(BIN, bin), ...args]] : [join(BIN, bin), args]
  execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** startPostgresServer initialises and starts a cluster; stopped and deleted at the end of `t`. */
export async function startPostgresServer(t: TestContext): Promise<PostgresServer> {
  if (!existsSync(join(BIN, 'initdb'))) throw new Error(`PostgreSQL 15 is not installed (${BIN}): run ./setup as root`)
  const dir = mkdtempSync(join(tmpdir(), 'veche-pg-'))
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim())
    chownSync(dir, uid, gid)
  }
  const data = join(dir, 'pg')
  const port = await freePort()
  // --no-sync and fsync=off: a test cluster never needs to survive a power cut.
  asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', PG_USER, '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8'])
  const pidFile = join(data, 'postmaster.pid')
  const pid = (): number | undefined => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : undefined)

  const start = async (): Promise<void> => {
    const running = pid()
    if (running && alive(running)) return
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`
    try {
      asPostgres('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'pg.log'), '-w', 'start'])
    } catch (err) {
      const log = existsSync(join(dir, 'pg.log')) ? readFileSync(join(dir, 'pg.log'), 'utf8') : ''
      throw new Error(`PostgreSQL did not start: ${(err as Error).message}\n${log}`)
    }
  }
  const stop = async (): Promise<void> => {
    const running = pid()
    if (!running || !alive(running)) return
    // SIGINT is PostgreSQL's fast shutdown: sessions are rolled back and cut, then it exits.
    process.kill(running, 'SIGINT')
    for (let i = 0; i < 400 && alive(running); i++) await sleep(25)
    if (alive(running)) process.kill(running, 'SIGKILL')
  }
  t.teardown(async () => {
    await stop()
    rmSync(dir, { recursive: true, force: true })
  })
  await start()

  let n = 0
  return {
    port,
    pid,
    async createDatabase() {
      const name = `t_${++n}`
      const client = new pg.Client({ host: '127.0.0.1', port, user: PG_USER, database: 'postgres' })
      await client.connect()
      try {
        await client.query(`CREATE DATABASE ${name}`)
      } finally {
        await client.end()
      }
      return `postgres://${PG_USER}@127.0.0.1:${port}/${name}`
    },
    stop,
    start,
  }
}
