// Builds a real app for a test: a fresh data folder with a real SQLite file, one real mediasoup
// worker on free ports, silent logs; closed when the test ends.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { pino, type Logger } from 'pino'
import { loadConfig } from '../config/load.ts'
import type { Config } from '../config/schema.ts'
import type { LicenseSpec } from '../license-keys/vendor/issue.ts'
import { buildApp } from '../server/app.ts'
import type { LicenseOverrides } from '../server/license/create.ts'
import { ensureLocalTls } from '../server/tls/local-ca.ts'
import { installTestLicense } from './license-helper.ts'

interface TestContext {
  teardown(fn: () => unknown): void
}

export function tempDir(t: TestContext, prefix = 'veche-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** isolatedSettings keep a test's server on loopback and free ports, with its data in `dataDir`. */
export const isolatedSettings = (dataDir: string): string[] => [
  `data.dir=${dataDir}`,
  'server.host=127.0.0.1',
  'server.port=0',
  'media.listenIp=127.0.0.1',
  'media.announcedAddress=127.0.0.1',
  'media.port=0',
  'media.workers=1',
]

export function testConfig(dataDir: string, set: string[] = []): Config {
  return loadConfig({ set: [...isolatedSettings(dataDir), 'log.level=silent', ...set] })
}

export interface BuildOptions {
  set?: string[]
  https?: { key: string; cert: string }
  /** An activated test license with these terms (default: a generous one); false for none. */
  license?: Partial<LicenseSpec> | false
  licenseOverrides?: LicenseOverrides
  /** Registers extra routes before the app is ready (routes cannot be added after). */
  extend?: (app: FastifyInstance) => void
  /** The app's logger, for tests that read the log; default: silent. */
  logger?: Logger
}

/** build returns a ready app on a fresh data folder; closed at the end of the test. */
export async function build(t: TestContext, options: BuildOptions = {}): Promise<FastifyInstance> {
  const dataDir = tempDir(t)
  const config = testConfig(dataDir, options.set)
  const app = await buildApp({
    config,
    dataDir,
    logger: options.logger ?? pino({ level: 'silent' }),
    https: options.https,
    caCert: 'test-ca',
    ...(options.licenseOverrides ? { license: options.licenseOverrides } : {}),
  })
  t.teardown(() => app.close())
  options.extend?.(app)
  await app.ready()
  if (options.license !== false) await installTestLicense(app, options.license ?? {})
  return app
}

/**
 * buildListening is build() served over TLS (a local CA of its own) on a free loopback port, for
 * tests that need real sockets: signaling WebSockets, browsers. `wss` is the WebSocket base URL.
 */
export async function buildListening(
  t: TestContext,
  options: Omit<BuildOptions, 'https'> = {},
): Promise<{ app: FastifyInstance; port: number; wss: string }> {
  const tls = ensureLocalTls(join(tempDir(t), 'tls'), ['localhost', '127.0.0.1'])
  const app = await build(t, { ...options, https: { key: tls.key, cert: tls.cert } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  return { app, port, wss: `wss://127.0.0.1:${port}` }
}

export const OWNER = { email: 'owner@corp.example', displayName: 'Ольга Владелец', password: 'correct horse battery' }

export function sessionCookie(res: LightMyRequestResponse): string {
  const c = res.cookies.find((c) => c.name === 'veche_session')
  if (!c) throw new Error(`no session cookie in response ${res.statusCode} ${res.body}`)
  return `veche_session=${c.value}`
}

/** createOwner runs the first-run setup and returns the owner's session cookie. */
export async function createOwner(app: FastifyInstance): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/setup/owner', payload: OWNER })
  if (res.statusCode !== 201) throw new Error(`setup failed: ${res.statusCode} ${res.body}`)
  return sessionCookie(res)
}

/** createMember makes an internal user as the owner and returns that user's session cookie. */
export async function createMember(app: FastifyInstance, ownerCookie: string, email: string, displayName: string): Promise<string> {
  const password = 'member password 1'
  const made = await app.inject({
    method: 'POST',
    url: '/api/users',
    headers: { cookie: ownerCookie },
    payload: { email, displayName, password, role: 'member' },
  })
  if (made.statusCode !== 201) throw new Error(`create user failed: ${made.statusCode} ${made.body}`)
  const res = await app.inject({ method: 'POST', url: '/api/auth/signin', payload: { email, password } })
  return sessionCookie(res)
}

/** A listening app with an owner, one member (Борис) and a room the owner created. */
export interface RoomWithPeople {
  app: FastifyInstance
  owner: string
  member: string
  roomId: string
  /** The room's signaling WebSocket URL. */
  url: string
}

/** roomWithPeople builds the usual cast of a meeting test: owner and member cookies, a room titled `title`. */
export async function roomWithPeople(t: TestContext, title: string, set: string[] = []): Promise<RoomWithPeople> {
  const { app, port } = await buildListening(t, { set })
  const owner = await createOwner(app)
  const member = await createMember(app, owner, 'boris@corp.example', 'Борис')
  const res = await app.inject({ method: 'POST', url: '/api/rooms', headers: { cookie: owner }, payload: { title } })
  const roomId = res.json().room.id as string
  return { app, owner, member, roomId, url: `wss://127.0.0.1:${port}/api/rooms/${roomId}/signal` }
}
