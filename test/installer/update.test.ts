// Install a real kit in a temporary root, update to a second kit, roll back, and kill the update at
// every step: the appliance always runs the old or the new version, and no row is ever lost.
import t from 'tap'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, openSync, readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { request } from 'node:https'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { hashPassword } from '../../server/auth/passwords.ts'
import { openDatabase } from '../../server/db/database.ts'
import { createDb } from '../../server/db/engine.ts'
import { createRoomsRepository } from '../../server/db/rooms-repository.ts'
import { createUsersRepository } from '../../server/db/users-repository.ts'
import { tempDir } from '../helper.ts'
import { install, testKit, type Installation } from '../kits.ts'
import { seedActivatedLicense } from '../license-helper.ts'
import { ROOT } from '../server-process.ts'

const run = promisify(execFile)

/** The environment of a real process: without the test runner's NODE_OPTIONS loaders. */
const { NODE_OPTIONS: _testLoaders, ...cleanEnv } = process.env

async function veche(inst: Installation, args: string[], env: NodeJS.ProcessEnv = {}) {
  const [cmd, ...rest] = inst.veche(args)
  try {
    const { stdout, stderr } = await run(cmd!, rest, { env: { ...cleanEnv, ...env } })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number | null; signal: string | null; stdout: string; stderr: string }
    return { code: e.code ?? -1, signal: e.signal, stdout: e.stdout, stderr: e.stderr }
  }
}

function health(port: number): Promise<{ status: string; version: string } | undefined> {
  return new Promise((resolve) => {
    const req = request(`https://127.0.0.1:${port}/healthz`, { rejectUnauthorized: false, timeout: 2000 }, (res) => {
      let body = ''
      res.on('data', (c) => (body += String(c)))
      res.on('end', () => resolve(res.statusCode === 200 ? JSON.parse(body) : undefined))
    })
    req.on('error', () => resolve(undefined))
    req.on('timeout', () => req.destroy())
    req.end()
  })
}

/** runningVersion waits (up to 30 s) until the server answers, and returns its version. */
async function runningVersion(inst: Installation, expect?: string): Promise<string | undefined> {
  const deadline = Date.now() + 30_000
  let last: string | undefined
  while (Date.now() < deadline) {
    last = (await health(inst.port))?.version
    if (last && (!expect || last === expect)) return last
    await new Promise((r) => setTimeout(r, 250))
  }
  return last
}

function rows(inst: Installation): { users: string[]; rooms: string[] } {
  const db = openDatabase(join(inst.dataDir, 'veche.db'))
  try {
    return {
      users: (db.prepare('SELECT email FROM users').pluck().all() as string[]).sort(),
      rooms: db.prepare('SELECT id FROM rooms ORDER BY id').pluck().all() as string[],
    }
  } finally {
    db.close()
  }
}

t.test('install, update, roll back, and survive being killed at every step', async (t) => {
  const dir = tempDir(t, 'veche-update-')
  const kits = join(dir, 'kits')
  const kit1 = await testKit(kits, { version: '0.1.0' })
  const kit2 = await testKit(kits, { version: '0.2.0' })
  const kit3 = await testKit(kits, { version: '0.3.0' })
  const inst = await install(join(dir, 'root'), kit1, '0.1.0')

  // A workspace with people and rooms, and an activated license.
  const db = openDatabase(join(inst.dataDir, 'veche.db'))
  const layer = createDb({ url: '', password: '', passwordFile: '' }, db)
  const users = createUsersRepository(layer)
  const owner = await users.create({ email: 'owner@corp.example', displayName: 'Ольга', role: 'owner', passwordHash: await hashPassword('owner password') })
  await users.create({ email: 'ivan@corp.example', displayName: 'Иван', role: 'member', passwordHash: await hashPassword('member password') })
  const rooms = createRoomsRepository(layer)
  for (const title of ['Планёрка', 'Ретро', 'Демо']) await rooms.create(owner.id, title)
  db.close()
  await seedActivatedLicense(inst.dataDir)
  const before = rows(inst)

  // Release 0.3.0 crashes at start (a fault injected into that version only): the update to it must undo itself.
  const serverLog = openSync(join(dir, 'server.log'), 'a')
  const supervisor: ChildProcess = spawn(join(ROOT, 'bin/veche-node'), [join(ROOT, 'test/supervisor.ts'), inst.installDir, inst.configFile, inst.pidFile], {
    stdio: ['ignore', serverLog, serverLog],
    env: { ...cleanEnv, VECHE_FAILPOINTS: 'serve:before-listen:0.3.0' },
  })
  t.teardown(() => {
    if (!t.passing()) t.comment(`server log:\n${readFileSync(join(dir, 'server.log'), 'utf8').slice(-6000)}`)
    supervisor.kill('SIGTERM')
    return new Promise((r) => supervisor.once('exit', r))
  })
  t.equal(await runningVersion(inst, '0.1.0'), '0.1.0', 'the first release runs')
  if (!t.passing()) return

  const check = await veche(inst, ['update', 'check', kit2])
  t.equal(check.code, 0, check.stdout + check.stderr)

  // Killed after each step before the switch: still the old release, every row there.
  for (const step of ['after-backup', 'mid-unpack', 'after-migration']) {
    const r = await veche(inst, ['update', 'apply', kit2], { VECHE_FAILPOINTS: `update:${step}` })
    t.equal(r.signal, 'SIGKILL', `apply killed ${step}`)
    t.equal(await runningVersion(inst), '0.1.0', `${step}: the old release still runs`)
    t.equal(readlinkSync(join(inst.installDir, 'current')), 'releases/0.1.0', `${step}: current unchanged`)
    t.same(rows(inst), before, `${step}: every row is there`)
  }
  t.ok(existsSync(join(inst.installDir, 'releases/0.2.0.partial')) || existsSync(join(inst.installDir, 'releases/0.2.0')), 'leftovers of the killed unpack exist')

  // Killed right after the switch: the old process still serves; the next apply finishes the job.
  let r = await veche(inst, ['update', 'apply', kit2], { VECHE_FAILPOINTS: 'update:after-switch' })
  t.equal(r.signal, 'SIGKILL')
  t.equal(await runningVersion(inst), '0.1.0', 'after-switch: the old process still runs')
  t.equal(readlinkSync(join(inst.installDir, 'current')), 'releases/0.2.0')
  r = await veche(inst, ['update', 'apply', kit2])
  t.equal(r.code, 0, r.stdout + r.stderr)
  t.match(r.stdout, /interrupted after switching; finishing it first/)
  t.equal(await runningVersion(inst, '0.2.0'), '0.2.0', 'the interrupted update completed')
  t.same(rows(inst), before, 'every row survived the update')
  t.notOk(existsSync(join(inst.installDir, 'releases/0.2.0.partial')), 'partial unpacks are cleaned up')

  const list = JSON.parse((await veche(inst, ['update', 'list', '--json'])).stdout)
  t.same(list.releases.map((x: { version: string; current: boolean }) => [x.version, x.current]), [['0.2.0', true], ['0.1.0', false]])
  t.ok(list.backups.length >= 1, 'backups are listed')
  t.equal(list.lastUpdate.phase, 'healthy')

  // Rollback on purpose: back to 0.1.0 with its database.
  r = await veche(inst, ['update', 'rollback'])
  t.equal(r.code, 0, r.stdout + r.stderr)
  t.equal(await runningVersion(inst, '0.1.0'), '0.1.0', 'rolled back to 0.1.0')
  t.same(rows(inst), before)
  t.equal((await veche(inst, ['update', 'rollback'])).code, 1, 'nothing left to roll back')

  // Killed while waiting for the new version's health: it comes up anyway; the next apply confirms.
  r = await veche(inst, ['update', 'apply', kit2], { VECHE_FAILPOINTS: 'update:during-health-wait' })
  t.equal(r.signal, 'SIGKILL')
  const v = await runningVersion(inst, '0.2.0')
  t.equal(v, '0.2.0', 'during-health-wait: the new version runs')
  t.same(rows(inst), before)
  r = await veche(inst, ['update', 'apply', kit2])
  t.equal(r.code, 0, r.stdout + r.stderr)

  // A release that never becomes healthy is rolled back automatically, database restored.
  r = await veche(inst, ['update', 'apply', kit3])
  t.equal(r.code, 4, r.stdout + r.stderr)
  t.match(r.stdout, /0\.3\.0 did not become healthy within 20 s: rolling back to 0\.2\.0/)
  t.equal(await runningVersion(inst, '0.2.0'), '0.2.0', 'the previous release runs again')
  t.equal(readlinkSync(join(inst.installDir, 'current')), 'releases/0.2.0')
  t.same(rows(inst), before, 'every row is there after the automatic rollback')
  t.notOk(existsSync(join(inst.dataDir, 'restore-pending.json')), 'the restore was carried out')

  // Older than what runs: refused, nothing touched.
  r = await veche(inst, ['update', 'apply', kit1])
  t.equal(r.code, 3)
  t.match(r.stdout, /0\.1\.0 is older than the installed 0\.2\.0/)
  t.equal(await runningVersion(inst), '0.2.0')
  t.ok(readdirSync(join(inst.installDir, 'releases')).length <= 3, 'old releases are pruned to install.keepReleases')
})
