// The real `veche serve` on a real PostgreSQL 15 (database.url set): it works, it answers 503 naming the
// database while PostgreSQL is stopped and recovers by itself when it returns, and it refuses to start,
// in one line naming database.url and the cause, on an unreachable server or a schema from a newer release.
import t from 'tap'
import { spawn } from 'node:child_process'
import { createDb } from '../../../server/db/engine.ts'
import { createLicenseRepository } from '../../../server/db/license-repository.ts'
import { migratePostgres } from '../../../server/db/migrations.ts'
import { eventually } from '../../eventually.ts'
import { tempDir } from '../../helper.ts'
import { httpsCall, type HttpsAnswer } from '../../https-call.ts'
import { certify, issueTestLicense } from '../../license-helper.ts'
import { PG_USER, startPostgresServer } from '../../postgres-server.ts'
import { startServer, VECHE } from '../../server-process.ts'

const OWNER = { email: 'olga@corp.example', displayName: 'Ольга Владелец', password: 'correct horse battery' }
const JSON_TYPE = { 'content-type': 'application/json' }

/** activate stores an activated test license in the database at `url`, as `veche activate` leaves it. */
async function activate(url: string): Promise<void> {
  const layer = createDb({ url, password: '', passwordFile: '' })
  try {
    await migratePostgres(layer.db)
    const { token, claims } = await issueTestLicense()
    await createLicenseRepository(layer).saveActivated({ licenseId: claims.sub, licenseKey: token, certificate: await certify(claims.sub), activatedAt: claims.iat })
  } finally {
    await layer.close()
  }
}

/** serveOnce runs `veche serve` expected to refuse starting; resolves with its exit code and stderr. */
function serveOnce(dataDir: string, url: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(VECHE, ['serve', '--set', `data.dir=${dataDir}`, '--set', 'server.host=127.0.0.1', '--set', 'server.port=0', '--set', 'media.port=0', '--set', 'media.listenIp=127.0.0.1', '--set', 'media.announcedAddress=127.0.0.1', '--set', `database.url=${url}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, VECHE_CONFIG: undefined },
    })
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += String(d)))
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stderr })
    })
  })
}

const body = (a: HttpsAnswer) => JSON.parse(a.text) as Record<string, any>

t.test('serves on PostgreSQL; 503 naming the database while it is stopped; recovers without a restart; refuses to start on an unreachable server or a newer schema', async (t) => {
  const pg = await startPostgresServer(t)
  const url = await pg.createDatabase()
  // The refusals run beside the working server's requests: each is a whole CLI start.
  const future = await pg.createDatabase()
  const layer = createDb({ url: future, password: '', passwordFile: '' })
  await migratePostgres(layer.db)
  await layer.db.insertInto('schema_migrations').values({ version: 9999, name: 'future', applied_at: 0 }).execute()
  await layer.close()
  await activate(url)
  const server = await startServer(t, tempDir(t, 'veche-pg-serve-'), [`database.url=${url}`, 'media.workers=1'])
  const refusals = Promise.all([serveOnce(tempDir(t), 'postgres://veche@127.0.0.1:1/veche'), serveOnce(tempDir(t), future)])
  const port = Number(new URL(server.url).port)
  const post = (path: string, payload: unknown, cookie?: string) => httpsCall(port, 'POST', path, { ...JSON_TYPE, ...(cookie ? { cookie } : {}) }, JSON.stringify(payload))
  const signIn = () => post('/api/auth/signin', { email: OWNER.email, password: OWNER.password })

  const setup = await post('/api/setup/owner', OWNER)
  t.equal(setup.status, 201, setup.text)
  const signedIn = await signIn()
  t.equal(signedIn.status, 200, signedIn.text)
  const cookie = String(signedIn.headers['set-cookie']?.[0]).split(';')[0]!
  const room = await post('/api/rooms', { title: 'Планёрка' }, cookie)
  t.equal(room.status, 201, room.text)
  t.equal((await httpsCall(port, 'GET', '/readyz')).status, 200)

  const [unreachable, newer] = await refusals
  t.equal(unreachable.code, 1, unreachable.stderr)
  t.match(unreachable.stderr, /^veche: cannot reach PostgreSQL at veche@127\.0\.0\.1:1\/veche \(database\.url\): .*ECONNREFUSED.*: start the server, or correct the host and port in database\.url\n$/)
  t.equal(newer.code, 1, newer.stderr)
  t.match(newer.stderr, new RegExp(`^veche: PostgreSQL at ${PG_USER}@127\\.0\\.0\\.1:${pg.port}/t_2 \\(database\\.url\\): database schema version 9999 is newer than this release knows \\(\\d+\\): run the release that wrote it`))
  t.equal(newer.stderr.split('\n').length, 2, 'one line, no stack trace')

  await pg.stop()
  const name = new RegExp(`the database \\(PostgreSQL at ${PG_USER}@127\\.0\\.0\\.1:${pg.port}/t_1\\) does not answer`)
  const refused = await signIn()
  t.equal(refused.status, 503, refused.text)
  t.equal(body(refused).error.code, 'database_unavailable')
  t.match(body(refused).error.message, name)
  const noRoom = await post('/api/rooms', { title: 'while away' }, cookie)
  t.equal(noRoom.status, 503, noRoom.text)
  const ready = await httpsCall(port, 'GET', '/readyz')
  t.equal(ready.status, 503)
  t.same(body(ready).failing, ['database'])
  t.match(body(ready).checks.database.message, name)
  t.equal(server.process.exitCode, null, 'the server is still running')

  await pg.start()
  const back = await eventually('sign-in works again', async () => {
    const r = await signIn()
    return r.status === 200 ? r : undefined
  })
  t.equal(back.status, 200)
  t.equal((await post('/api/rooms', { title: 'after' }, cookie)).status, 201)
  t.equal((await httpsCall(port, 'GET', '/readyz')).status, 200)
  t.notOk(server.logs.some((l) => /unhandled|uncaught/i.test(String(l.msg))), 'no unhandled error was logged')
  t.equal(server.process.exitCode, null)
})
