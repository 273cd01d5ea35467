// `veche backup` and `veche restore` as an admin runs them: a real workspace (users, rooms, an
// activated license, the local CA), backed up, restored into a fresh data folder, and refused when
// the archive is damaged or from a newer release.
import t, { type Test } from 'tap'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { X509Certificate } from 'node:crypto'
import { join } from 'node:path'
import { probe } from '../../../cli/update/health.ts'
import { hashPassword } from '../../../server/auth/passwords.ts'
import { openDatabase } from '../../../server/db/database.ts'
import { createDb } from '../../../server/db/engine.ts'
import { createRoomsRepository } from '../../../server/db/rooms-repository.ts'
import { createUsersRepository } from '../../../server/db/users-repository.ts'
import { ensureLocalTls } from '../../../server/tls/local-ca.ts'
import { tempDir } from '../../helper.ts'
import { archiveEntries, cleanEnv, veche } from './backup-cli.ts'
import { freePort } from '../../kits.ts'
import { seedActivatedLicense } from '../../license-helper.ts'
import { startServer, VECHE } from '../../server-process.ts'
import { tarGz } from '../../tar-writer.ts'


/** Every row a user would miss: people, rooms, the license. */
function rows(dataDir: string): Record<string, unknown[]> {
  const db = openDatabase(join(dataDir, 'veche.db'))
  try {
    const all = (table: string): unknown[] => db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all()
    return { users: all('users'), rooms: all('rooms'), license: all('license') }
  } finally {
    db.close()
  }
}

/**
 * service writes a stand-in for `systemctl {action} veche` into `dir`: start runs the real `veche serve`
 * in the background (with the environment the restore runs in), stop ends it and waits until it exited.
 * Every action is appended to `actions`.
 */
function service(t: Test, dir: string, actions: string): string {
  const script = join(dir, 'service.sh')
  const pid = join(dir, 'server.pid')
  writeFileSync(
    script,
    `#!/bin/sh
echo "$1" >> '${actions}'
case "$1" in
  start) '${VECHE}' serve > '${join(dir, 'server.log')}' 2>&1 & echo $! > '${pid}' ;;
  stop) if [ -f '${pid}' ]; then p=$(cat '${pid}'); kill "$p" 2>/dev/null; while kill -0 "$p" 2>/dev/null; do sleep 0.1; done; rm -f '${pid}'; fi ;;
esac
`,
    { mode: 0o755 },
  )
  t.teardown(() => void spawnSync(script, ['stop']))
  return `${script} {action}`
}

t.test('back up a workspace and restore it into a fresh data folder', async (t) => {
  const dir = tempDir(t, 'veche-backup-')
  const dataA = join(dir, 'a')
  const dataB = join(dir, 'b')
  const actions = join(dir, 'service-actions')
  const configFile = join(dir, 'veche.yaml')
  const port = await freePort()
  // data.dir comes from the environment, so the restored config (the same file) keeps pointing at B.
  writeFileSync(
    configFile,
    `server:\n  host: 127.0.0.1\n  port: ${port}\n` +
      `media:\n  listenIp: 127.0.0.1\n  announcedAddress: 127.0.0.1\n  port: 0\n  workers: 1\n` +
      `install:\n  serviceCommand: ${service(t, dir, actions)}\nlog:\n  level: warn\n`,
  )

  const db = openDatabase(join(dataA, 'veche.db'))
  const layer = createDb({ url: '', password: '', passwordFile: '' }, db)
  const users = createUsersRepository(layer)
  const owner = await users.create({ email: 'owner@corp.example', displayName: 'Ольга', role: 'owner', passwordHash: await hashPassword('owner password') })
  await users.create({ email: 'ivan@corp.example', displayName: 'Иван', role: 'member', passwordHash: await hashPassword('member password') })
  for (const title of ['Планёрка', 'Ретро']) await createRoomsRepository(layer).create(owner.id, title)
  db.close()
  await seedActivatedLicense(dataA)
  ensureLocalTls(join(dataA, 'tls'), ['localhost', '127.0.0.1'])
  const before = rows(dataA)

  const archive = join(dir, 'workspace.tar.gz')
  const envA = { VECHE_CONFIG: configFile, VECHE_DATA_DIR: dataA }
  const made = await veche(['backup', '--out', archive], envA)
  t.equal(made.code, 0, made.stderr)
  t.match(made.stdout, new RegExp(`^wrote ${archive} \\(.* kB, mode 0600\\)\\n  database: schema \\d+`))
  t.match(made.stdout, /TLS: +4 files/)
  t.equal(statSync(archive).mode & 0o777, 0o600, 'the archive is mode 0600')
  const again = await veche(['backup', '--out', archive], envA)
  t.equal(again.code, 1)
  t.match(again.stderr, /already exists and a backup never overwrites one: choose another --out/)
  const byDefault = await veche(['backup'], envA)
  t.equal(byDefault.code, 0, byDefault.stderr)
  t.match(readdirSync(join(dataA, 'backups')), [/^veche-backup-\d{8}T\d{6}Z\.tar\.gz$/], 'default: <data>/backups/veche-backup-<time>.tar.gz')

  const inside = await archiveEntries(archive)
  t.same(inside.map((e) => e.path), ['backup.json', 'veche.db', 'veche.yaml', 'tls/ca.crt', 'tls/ca.key', 'tls/server.crt', 'tls/server.key'])
  const manifest = JSON.parse(inside[0]!.data!.toString())
  t.match(manifest, { format: 1, product: 'veche', version: /^\d+\.\d+\.\d+$/, schemaVersion: Number, createdAt: /Z$/, hostname: String })
  t.equal(manifest.files.length, 6)

  // Damaged: one byte of the database changed inside an otherwise well-formed archive.
  const tampered = join(dir, 'tampered.tar.gz')
  writeFileSync(tampered, tarGz(inside.map((e) => {
    if (e.path !== 'veche.db') return e
    const data = Buffer.from(e.data!)
    data[data.length >> 1]! ^= 0x01
    return { ...e, data }
  })))
  const envB = { VECHE_CONFIG: configFile, VECHE_DATA_DIR: dataB }
  const refused = await veche(['restore', tampered], envB)
  t.equal(refused.code, 1)
  t.match(refused.stderr, /tampered\.tar\.gz is damaged: veche\.db does not match its SHA-256 in backup\.json; nothing was changed/)

  // From a newer release: refused before anything is unpacked, naming the release to install.
  const newer = join(dir, 'newer.tar.gz')
  writeFileSync(newer, tarGz(inside.map((e) => e.path === 'backup.json' ? { ...e, data: Buffer.from(JSON.stringify({ ...manifest, version: '9.0.0', schemaVersion: 99 })) } : e)))
  const tooNew = await veche(['restore', newer], envB)
  t.equal(tooNew.code, 1)
  t.match(tooNew.stderr, /this backup was written by Veche 9\.0\.0 \(database schema 99\); this release, .* knows schema \d+ at most: install Veche 9\.0\.0 or newer/)

  const garbage = join(dir, 'garbage.tar.gz')
  writeFileSync(garbage, 'not an archive')
  const notTar = await veche(['restore', garbage], envB)
  t.equal(notTar.code, 1)
  t.match(notTar.stderr, /garbage\.tar\.gz is not a readable backup archive/)
  // Crafted: entries hidden as a folder entry's "content" (GNU tar would extract them), a pipe, an
  // entry longer than backup.json lists. Each refused before anything is put in place.
  const dbEntry = inside.find((e) => e.path === 'veche.db')!
  const crafted = {
    hidden: [...inside, { path: 'tls/', type: 'directory' as const, hidden: [{ path: 'recordings/evil.mp4', data: Buffer.from('x') }] }],
    pipe: [...inside, { path: 'recordings/pipe', type: 'fifo' as const }],
    longer: inside.map((e) => (e.path === 'veche.db' ? { ...e, data: Buffer.concat([dbEntry.data!, Buffer.alloc(4096)]) } : e)),
  }
  const craftedRefusals = {
    hidden: /is not a readable backup archive \(the folder entry "tls\/" declares 1024 bytes of content/,
    pipe: /is not a Veche backup as `veche backup` writes it: unexpected entry "recordings\/pipe" \(a named pipe \(FIFO\)\); nothing was changed/,
    longer: /is damaged: veche\.db does not match its SHA-256 in backup\.json; nothing was changed/,
  }
  for (const [name, entries] of Object.entries(crafted)) {
    const file = join(dir, `crafted-${name}.tar.gz`)
    writeFileSync(file, tarGz(entries))
    const r = await veche(['restore', file], envB)
    t.equal(r.code, 1, `${name}: refused`)
    t.match(r.stderr, craftedRefusals[name as keyof typeof crafted], `${name}: says why`)
    t.notMatch(r.stderr, /\n\s+at /, `${name}: no stack trace`)
  }

  t.notOk(existsSync(actions), 'no refused restore touched the service')
  t.notOk(existsSync(join(dataB, 'veche.db')), 'no refused restore wrote a database')

  // Another update or restore holds the lock: refused, naming the process.
  mkdirSync(dataB, { recursive: true })
  writeFileSync(join(dataB, 'update.lock'), String(process.pid))
  const locked = await veche(['restore', archive], envB)
  t.equal(locked.code, 1)
  t.match(locked.stderr, new RegExp(`cannot restore now: another update is running \\(process ${process.pid}\\)`))
  rmSync(join(dataB, 'update.lock'))

  const restored = await veche(['restore', archive], envB)
  t.equal(restored.code, 0, restored.stderr)
  t.match(restored.stdout, /checked 6 files against backup\.json/)
  t.equal(readFileSync(actions, 'utf8'), 'stop\nstart\n', 'the service was stopped, then started')
  t.match(restored.stdout, /the server answers: Veche \S+ is serving the restored workspace/, 'the restore waited for the server')
  t.match(await probe(`https://127.0.0.1:${port}/healthz`), { status: 'ok' })
  t.same(rows(dataB), before, 'users, rooms and the license are identical')
  for (const name of ['ca.key', 'server.key']) t.equal(statSync(join(dataB, 'tls', name)).mode & 0o777, 0o600, `${name} is mode 0600`)
  for (const name of ['ca.crt', 'ca.key']) t.same(readFileSync(join(dataB, 'tls', name)), readFileSync(join(dataA, 'tls', name)), `${name} restored`)
  // The server certificate is renewed at start for this machine's names, by the restored CA.
  const ca = new X509Certificate(readFileSync(join(dataB, 'tls/ca.crt')))
  t.ok(new X509Certificate(readFileSync(join(dataB, 'tls/server.crt'))).verify(ca.publicKey), 'the server certificate is signed by the restored CA')
  t.equal(readFileSync(configFile, 'utf8'), inside.find((e) => e.path === 'veche.yaml')!.data!.toString())
  t.match(readdirSync(dir).filter((f) => f.startsWith('veche.yaml.before-restore-')), [/^veche\.yaml\.before-restore-\d{8}T\d{6}Z$/], 'the replaced config is kept')

  // Restoring over a running workspace stops it, keeps what it replaces beside it, and starts it again.
  const over = await veche(['restore', archive], envB)
  t.equal(over.code, 0, over.stderr)
  const kept = readdirSync(dataB).filter((f) => f.includes('.before-restore-'))
  t.ok(kept.some((f) => f.startsWith('veche.db.before-restore-')) && kept.some((f) => f.startsWith('tls.before-restore-')), kept.join(' '))
  t.same(rows(dataB), before)
  t.equal(readFileSync(actions, 'utf8'), 'stop\nstart\nstop\nstart\n', 'the running server was stopped first')
  t.match(await probe(`https://127.0.0.1:${port}/healthz`), { status: 'ok' })
})

t.test('a server that does not come up after a restore: exit 1, naming the log and what was replaced', async (t) => {
  const dir = tempDir(t, 'veche-restore-down-')
  const data = join(dir, 'data')
  const configFile = join(dir, 'veche.yaml')
  // The service "starts" but nothing listens: as when the unit fails at once.
  writeFileSync(configFile, `server:\n  host: 127.0.0.1\n  port: ${await freePort()}\ninstall:\n  serviceCommand: 'true'\n  healthTimeoutSeconds: 5\n`)
  const db = openDatabase(join(data, 'veche.db'))
  await createUsersRepository(createDb({ url: '', password: '', passwordFile: '' }, db)).create({ email: 'owner@corp.example', displayName: 'Ольга', role: 'owner', passwordHash: await hashPassword('owner password') })
  db.close()
  const env = { VECHE_CONFIG: configFile, VECHE_DATA_DIR: data }
  const archive = join(dir, 'b.tar.gz')
  t.equal((await veche(['backup', '--out', archive], env)).code, 0)
  const res = await veche(['restore', archive], env)
  t.equal(res.code, 1)
  t.match(res.stdout, /restored .*veche\.db/, 'the files are in place')
  t.match(
    res.stderr,
    /the backup is restored and the service was started, but the server did not answer at https:\/\/127\.0\.0\.1:\d+\/healthz within 5 s \(install\.healthTimeoutSeconds\): read its log \(journalctl -u veche -n 50\) and run `veche doctor`; what the restore replaced is kept: .*veche\.db\.before-restore-/,
  )
  t.equal(rows(data).users!.length, 1, 'the restored database is whole')
})

t.test('a backup taken while the server runs holds rows still in its write-ahead log', async (t) => {
  const dir = tempDir(t, 'veche-backup-live-')
  const data = join(dir, 'data')
  const server = await startServer(t, data)
  const env = { VECHE_DATA_DIR: data }
  const owner = spawnSync(VECHE, ['admin', 'create-owner', '--email', 'live@corp.example', '--name', 'Live', '--password-stdin'], {
    input: 'long enough password\n',
    encoding: 'utf8',
    env: { ...cleanEnv, ...env },
  })
  t.equal(owner.status, 0, owner.stderr)
  t.ok(existsSync(join(data, 'veche.db-wal')), 'the server holds the database open in WAL mode')

  const archive = join(dir, 'live.tar.gz')
  const made = await veche(['backup', '--out', archive], env)
  t.equal(made.code, 0, made.stderr)
  t.match(await probe(`${server.url}/healthz`), { status: 'ok' }, 'the server kept serving')

  const copy = join(dir, 'copy.db')
  writeFileSync(copy, (await archiveEntries(archive)).find((e) => e.path === 'veche.db')!.data!)
  const db = openDatabase(copy)
  t.teardown(() => db.close())
  t.same((await createUsersRepository(createDb({ url: '', password: '', passwordFile: '' }, db)).list()).map((u) => u.email), ['live@corp.example'])
})
