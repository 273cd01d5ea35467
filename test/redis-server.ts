// A real Redis 7 (Debian's redis-server) for tests: one server per test file in a temporary folder, on
// a free loopback port, nothing persisted. Stopped by pid when the file's tests end. Fault tests stop
// and start it again on the same port, or pause it (SIGSTOP: connections stay open, nothing answers).
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort } from './kits.ts'

interface TestContext {
  teardown(fn: () => unknown): void
}

const BIN = '/usr/bin/redis-server'

export interface RedisServer {
  port: number
  /** redis://127.0.0.1:<port>; with a password, the URL still holds none (tests pass it apart). */
  url: string
  /** The server's pid while it runs. */
  pid(): number | undefined
  /** stop ends it (SIGTERM, then SIGKILL) and waits until it is gone; every key is lost. */
  stop(): Promise<void>
  /** start runs it again on the same port, empty. */
  start(): Promise<void>
  /** pause stops the process (SIGSTOP): sockets stay open but nothing answers until resume. */
  pause(): void
  resume(): void
}

export interface RedisServerOptions {
  /** requirepass: clients must AUTH with it. */
  password?: string
}

/** pong tells whether a Redis answers PING on the port within a short time. */
function pong(port: number, password?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    let reply = ''
    const done = (ok: boolean): void => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.on('error', () => done(false))
    // RESP arrays, so a password with spaces travels as one argument.
    const command = (...args: string[]): string => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`
    socket.on('connect', () => socket.write(`${password ? command('AUTH', password) : ''}${command('PING')}`))
    socket.on('data', (chunk) => {
      reply += chunk.toString()
      if (reply.includes('+PONG')) done(true)
      else if (reply.includes('-')) done(false)
    })
  })
}

/** startRedisServer starts an empty Redis on a free loopback port; stopped and deleted at the end of `t`. */
export async function startRedisServer(t: TestContext, options: RedisServerOptions = {}): Promise<RedisServer> {
  if (!existsSync(BIN)) throw new Error(`Redis is not installed (${BIN}): run ./setup as root`)
  const dir = mkdtempSync(join(tmpdir(), 'veche-redis-'))
  const port = await freePort()
  let child: ChildProcess | undefined

  const running = (): boolean => child !== undefined && child.exitCode === null && child.signalCode === null
  const start = async (): Promise<void> => {
    if (running()) return
    // --save '' and --appendonly no: a test server keeps nothing on disk, so a restart is empty, as a
    // Redis that lost its memory would be.
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', join(dir, 'redis.log')]
    if (options.password) args.push('--requirepass', options.password)
    child = spawn(BIN, args, { stdio: 'ignore' })
    const started = child
    for (let i = 0; i < 200; i++) {
      if (started.exitCode !== null) break
      if (await pong(port, options.password)) return
      await sleep(25)
    }
    const log = existsSync(join(dir, 'redis.log')) ? readFileSync(join(dir, 'redis.log'), 'utf8') : ''
    throw new Error(`redis-server did not answer on port ${port}\n${log}`)
  }
  const stop = async (): Promise<void> => {
    const stopping = child
    if (!stopping || !running()) return
    stopping.kill('SIGCONT') // a paused server must be able to act on SIGTERM
    const exited = new Promise((resolve) => stopping.once('exit', resolve))
    stopping.kill('SIGTERM')
    const killer = setTimeout(() => stopping.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(killer)
  }
  t.teardown(async () => {
    await stop()
    rmSync(dir, { recursive: true, force: true })
  })
  await start()
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    pid: () => (running() ? child?.pid : undefined),
    stop,
    start,
    pause: () => void (running() && child?.kill('SIGSTOP')),
    resume: () => void (running() && child?.kill('SIGCONT')),
  }
}
