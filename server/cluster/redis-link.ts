// Owns the node's one connection to Redis; nothing else in the server opens one.
//
// Client: @redis/client (node-redis's core, without the module packages), the client Redis itself
// maintains, with no dependencies of its own. What we need of it, per its docs: `disableOfflineQueue`,
// so a command made while Redis is away fails at once instead of waiting in memory (a join must hear
// "refused" now, not when Redis returns); `reconnectStrategy`, so it reconnects by itself forever; an
// 'error' event for every failed attempt (listened to: without a listener an EventEmitter error would
// end the process). ioredis would do as well; node-redis is the maintained default and smaller here.
//
// A Redis that is paused (SIGSTOP, a frozen VM) keeps its socket open and never answers, which no
// client notices: every command here therefore races a timeout of its own.
import { EventEmitter } from 'node:events'
import { createHash } from 'node:crypto'
import { ClientOfflineError, createClient, ErrorReply } from '@redis/client'
import { ClusterError } from './errors.ts'
import { redactedRedisUrl } from './settings.ts'

export interface RedisLinkOptions {
  url: string
  password?: string | undefined
  /** Shown by CLIENT LIST, e.g. veche:node1. */
  clientName?: string
  /** How long one command may take before Redis counts as unavailable. */
  commandTimeoutMs?: number
  /** Hears when Redis goes away and comes back (one line each, not one per retry). */
  log?: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void }
}

/** A Lua script run with EVALSHA, sent in full only when Redis does not know it yet (after a restart). */
export interface LuaScript {
  source: string
  sha1: string
}

/** luaScript prepares a script for RedisLink.eval. */
export const luaScript = (source: string): LuaScript => ({ source, sha1: createHash('sha1').update(source).digest('hex') })

/** Bounds the client's queue while Redis is paused, so a long pause cannot grow memory without end. */
const MAX_QUEUED_COMMANDS = 1000

export class RedisLink extends EventEmitter<{ up: []; down: [ClusterError] }> {
  readonly url: string
  readonly #client
  readonly #timeoutMs: number
  readonly #log: RedisLinkOptions['log']
  #up = false
  /** Whether the current outage was logged (once per outage, not once per retry). */
  #downReported = false
  /** Why the last connection attempt failed: what a caller is told while Redis is away. */
  #lastError: Error | undefined

  private constructor(options: RedisLinkOptions) {
    super()
    this.url = redactedRedisUrl(options.url)
    this.#timeoutMs = options.commandTimeoutMs ?? 1000
    this.#log = options.log
    this.#client = createClient({
      url: options.url,
      ...(options.password !== undefined ? { password: options.password } : {}),
      ...(options.clientName ? { name: options.clientName } : {}),
      disableOfflineQueue: true,
      commandsQueueMaxLength: MAX_QUEUED_COMMANDS,
      socket: {
        connectTimeout: this.#timeoutMs * 2,
        // Quick retries first (a restart takes a second), then every 2 s: recovery by itself, forever.
        reconnectStrategy: (retries: number) => Math.min(100 * (retries + 1), 2000),
      },
    })
    this.#client.on('error', (err: Error) => {
      this.#lastError = err
      this.#markDown(this.#unavailable(err))
    })
    this.#client.on('ready', () => this.#markUp())
  }

  /**
   * RedisLink.open starts connecting and returns at once: a Redis that is away at start is retried in
   * the background, and every command fails with ClusterError('redis_unavailable') meanwhile.
   */
  static open(options: RedisLinkOptions): RedisLink {
    const link = new RedisLink(options)
    // connect() settles only when connected or closed; its rejection on close is not news.
    link.#client.connect().catch(() => undefined)
    return link
  }

  /**
   * ready resolves once Redis answers (a PING), or throws ClusterError('redis_unavailable') after
   * `timeoutMs`; the link keeps retrying in the background either way.
   */
  async ready(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs
    for (;;) {
      try {
        await this.command(['PING'])
        return
      } catch (err) {
        if (performance.now() + 100 > deadline) throw err
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
  }

  /** up tells whether the last word from Redis was an answer. */
  get up(): boolean {
    return this.#up
  }

  /**
   * command sends one Redis command and returns its reply (RESP3: hashes as objects, arrays as arrays).
   * Throws ClusterError('redis_unavailable') when Redis is away or does not answer in time; an error
   * reply (a wrong type, a script error) is thrown as the client's ErrorReply.
   */
  async command<T>(args: string[]): Promise<T> {
    let timer: NodeJS.Timeout | undefined
    const sent = this.#client.sendCommand(args) as Promise<T>
    // The late reply or failure of a command given up on is nobody's business.
    sent.catch(() => undefined)
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.#timeoutMs} ms`)), this.#timeoutMs)
    })
    try {
      const reply = await Promise.race([sent, late])
      this.#markUp()
      return reply
    } catch (err) {
      if (err instanceof ErrorReply && !/^(NOAUTH|WRONGPASS|LOADING|MASTERDOWN|BUSY)/.test(err.message)) throw err
      const unavailable = this.#unavailable(err as Error)
      // Offline before the first attempt to connect has even failed: still starting, not an outage.
      if (!(err instanceof ClientOfflineError && this.#lastError === undefined)) this.#markDown(unavailable)
      throw unavailable
    } finally {
      clearTimeout(timer)
    }
  }

  /** eval runs a Lua script on `keys` with `args` (EVALSHA; EVAL once when Redis lost its script cache). Throws as command does. */
  async eval<T>(script: LuaScript, keys: string[], args: (string | number)[]): Promise<T> {
    const rest = [String(keys.length), ...keys, ...args.map(String)]
    try {
      return await this.command<T>(['EVALSHA', script.sha1, ...rest])
    } catch (err) {
      if (err instanceof ErrorReply && err.message.startsWith('NOSCRIPT')) return this.command<T>(['EVAL', script.source, ...rest])
      throw err
    }
  }

  /** close ends the connection; pending commands fail. */
  async close(): Promise<void> {
    this.removeAllListeners('up')
    this.removeAllListeners('down')
    // A second close (a test's teardown after the test closed it) has nothing left to end.
    if (this.#client.isOpen) this.#client.destroy()
  }

  #unavailable(cause: Error): ClusterError {
    const why = this.#lastError && !this.#up && cause instanceof ClientOfflineError ? this.#lastError : cause
    const text = why.message || why.name
    const fix = /NOAUTH|WRONGPASS|invalid password|invalid username-password/i.test(text)
      ? ': set the right password in VECHE_REDIS_PASSWORD or cluster.redisPasswordFile'
      : ''
    return new ClusterError('redis_unavailable', `Redis at ${this.url} (cluster.redisUrl) is unavailable: ${text}${fix}`, { cause: why })
  }

  #markUp(): void {
    if (this.#up) return
    this.#up = true
    this.#downReported = false
    this.#log?.info({ redis: this.url }, 'Redis reachable')
    this.emit('up')
  }

  #markDown(err: ClusterError): void {
    if (!this.#up && this.#downReported) return
    this.#up = false
    this.#downReported = true
    this.#log?.warn({ redis: this.url, err: err.message }, 'Redis unavailable; new meetings are refused until it answers')
    this.emit('down', err)
  }
}
