// The REST contract: every route answers through a response schema that names each field (closed
// objects), errors share one shape, no schema names a secret, the serializer drops what a handler
// returns beyond the schema, and the web client takes the answers' types from the schemas, types only.
import t from 'tap'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TSchema } from '@sinclair/typebox'
import { WEB_ROOT } from '../../../server/app.ts'
import type { User as StoredUser } from '../../../server/db/users-repository.ts'
import { ErrorReply, replies } from '../../../server/routes/common-schemas.ts'
import { UserReply, type User } from '../../../server/routes/user-schemas.ts'
import { build, createMember, createOwner, OWNER, sessionCookie } from '../../helper.ts'

// The schema's User is the stored one, field for field (a compile-time check: tsc fails when they part).
const toSchema = (u: StoredUser): User => u
const fromSchema = (u: User): Omit<StoredUser, 'id'> => u
void toSchema
void fromSchema

/** Answers that are files or text, not JSON: only their refusals have a schema (the serializer never runs on them). */
const NOT_JSON: Record<string, string> = {
  'GET /ca.crt': 'the local CA certificate file',
  'GET /metrics': 'Prometheus text format',
  'GET /api/meetings/export.csv': 'a CSV download',
  'GET /api/meetings/export.json': 'a download, pretty-printed by history/export.ts and sent as text',
  'GET /api/recordings/:id/file': 'the MP4 file, with byte ranges',
  'GET /api/recordings/:id/chat': "the recording's chat as a text file",
}

/** Field names that hold secrets: no answer's schema may name them. */
const SECRET_NAMES = /^(password|passwordHash|password_hash|pin|pinHash|pin_hash|failedSignIns|lockedUntil|externalId|external_id|token|sessionToken|secret)$/i

/** problems lists where a response schema lets unnamed fields through or names a secret. */
function problems(schema: TSchema, at: string): string[] {
  const found: string[] = []
  if (schema.type === 'object' && schema.properties) {
    if (schema.additionalProperties !== false) found.push(`${at}: object without additionalProperties: false`)
    for (const [name, sub] of Object.entries(schema.properties as Record<string, TSchema>)) {
      if (SECRET_NAMES.test(name)) found.push(`${at}.${name}: a secret's name`)
      found.push(...problems(sub, `${at}.${name}`))
    }
  }
  if (schema.type === 'object' && !schema.properties && !schema.patternProperties) found.push(`${at}: object with no named fields`)
  if (schema.items) found.push(...problems(schema.items as TSchema, `${at}[]`))
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    for (const [i, sub] of ((schema[key] ?? []) as TSchema[]).entries()) found.push(...problems(sub, `${at}|${i}`))
  }
  for (const sub of Object.values((schema.patternProperties ?? {}) as Record<string, TSchema>)) found.push(...problems(sub, `${at}{}`))
  return found
}

t.test('every route declares its answers: a success schema (or a listed reason), closed objects, one error shape', async (t) => {
  const app = await build(t)
  const webFiles = new Set(existsSync(WEB_ROOT) ? readdirSync(WEB_ROOT).map((f) => `/${f}`) : [])
  const seen = new Set<string>()
  for (const route of app.restRoutes) {
    const name = `${route.method} ${route.url}`
    seen.add(name)
    // The meeting's WebSocket speaks server/signaling/protocol.ts; the client's built files are static.
    if (route.websocket || webFiles.has(route.url)) continue
    const response = route.schema?.response as Record<string, TSchema> | undefined
    if (!response) {
      t.fail(`${name} has no response schema`)
      continue
    }
    t.equal(response['4xx'], ErrorReply, `${name}: 4xx answers are the shared error shape`)
    t.equal(response['5xx'], ErrorReply, `${name}: 5xx answers are the shared error shape`)
    const success = Object.keys(response).filter((code) => /^[23]\d\d$/.test(code))
    if (NOT_JSON[name]) t.same(success, [], `${name} (${NOT_JSON[name]}) declares no body schema it would not be held to`)
    else t.ok(success.length > 0, `${name} declares the schema of its success answer`)
    for (const [code, schema] of Object.entries(response)) t.same(problems(schema, `${name} ${code}`), [], `${name} ${code} is closed and names no secret`)
  }
  for (const name of Object.keys(NOT_JSON)) t.ok(seen.has(name), `the exception ${name} is still a route`)
  t.ok(seen.has('GET /api/rooms/:id/signal'), 'the routes were seen as they were registered')
})

t.test('an /api route without a response schema stops the server from starting, naming the fix', async (t) => {
  await t.rejects(
    build(t, { license: false, extend: (app) => app.get('/api/contract-test', async () => ({ ok: true })) }),
    /GET \/api\/contract-test declares no response schema: add schema\.response/,
  )
})

t.test('the serializer sends only the fields the schema names', async (t) => {
  const app = await build(t, {
    license: false,
    extend: (app) =>
      app.get('/api/contract-test', { schema: { response: replies({ 200: UserReply }) } }, async () => ({
        user: { id: 'u1', email: 'a@corp.example', displayName: 'A', role: 'member', authSource: 'local', blockedAt: null, createdAt: 1, passwordHash: 'LEAK' },
        session: 'LEAK',
      })),
  })
  const res = await app.inject({ url: '/api/contract-test' })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { user: { id: 'u1', email: 'a@corp.example', displayName: 'A', role: 'member', authSource: 'local', blockedAt: null, createdAt: 1 } })
  t.notMatch(res.body, /LEAK/)
})

t.test("no /api answer carries a password, its hash, a room's PIN or its hash, or a session token", async (t) => {
  const app = await build(t)
  const bodies: string[] = []
  const call = async (method: 'GET' | 'POST' | 'PATCH', url: string, cookie: string, payload?: object) => {
    const res = await app.inject({ method, url, headers: { cookie }, ...(payload ? { payload } : {}) })
    t.ok(res.statusCode < 400, `${method} ${url} answers ${res.statusCode}`)
    bodies.push(`${method} ${url}: ${res.body}`)
    return res
  }
  const owner = await createOwner(app)
  const member = await createMember(app, owner, 'boris@corp.example', 'Борис')
  const signIn = await app.inject({ method: 'POST', url: '/api/auth/signin', payload: { email: OWNER.email, password: OWNER.password } })
  bodies.push(`sign-in: ${signIn.body}`)
  const room = (await call('POST', '/api/rooms', owner, { title: 'Планёрка' })).json().room.id as string
  await call('PATCH', `/api/rooms/${room}`, owner, { lobby: 'guests', pin: '481516' })
  const users = (await call('GET', '/api/users', owner)).json().users as { id: string; email: string }[]
  const boris = users.find((u) => u.email === 'boris@corp.example')!.id
  await call('GET', '/api/rooms', member)
  // Last for Борис: a reset ends his sessions.
  await call('POST', `/api/users/${boris}/password`, owner, { password: 'a new member password' })
  for (const url of ['/api/setup/status', '/api/auth/me', '/api/audit', '/api/rooms', `/api/rooms/${room}`, '/api/license', '/api/license/kind']) {
    await call('GET', url, owner)
  }
  for (const url of ['/api/auth/methods', '/api/meetings', '/api/statistics', '/api/recordings', '/healthz']) await call('GET', url, owner)

  const secrets = [
    OWNER.password,
    'a new member password',
    '481516',
    (await app.usersRepository.findForSignIn(OWNER.email))!.passwordHash,
    (await app.usersRepository.findForSignIn('boris@corp.example'))!.passwordHash,
    (await app.roomsRepository.get(room))!.pinHash!,
    sessionCookie(signIn).split('=')[1]!,
    owner.split('=')[1]!,
  ]
  t.equal(secrets.filter((s) => s.length < 6).length, 0, 'every secret is long enough to search for')
  for (const body of bodies) for (const secret of secrets) t.notOk(body.includes(secret), `${body.slice(0, body.indexOf(':'))} holds no secret`)
})

t.test('the web client imports from the server as types only', async (t) => {
  const src = fileURLToPath(new URL('../../../server/web/src/', import.meta.url))
  const files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => join(src, f))
  const outside: string[] = []
  for (const file of files) {
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/^(import|export)\s+(type\s+)?[^'"]*?from\s+'(\.[^']+)'/gm)) {
      const target = resolve(dirname(file), m[3]!)
      if (!relative(src, target).startsWith('..')) continue
      outside.push(`${relative(src, file)} -> ${m[3]}`)
      t.ok(m[2], `${relative(src, file)} imports ${m[3]} as types only`)
    }
  }
  t.ok(outside.some((s) => s.startsWith('api.ts -> ../../routes/')), 'api.ts takes the REST types from the server')
})
