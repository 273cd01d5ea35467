// The doctor command itself (listing, choosing checks, output forms, exit codes), and the checks that
// need no data folder: config and timezone.
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { timezoneCheck } from '../../../cli/doctor/checks/timezone.ts'
import { check, contextWith, doctor, isolated, migratedDatabase, tempDir } from './fixtures/doctor.ts'

const NAMES = ['config', 'data-dir', 'database-connection', 'database-server', 'database', 'database-role', 'certificate', 'license', 'ldap', 'oidc', 'mail', 'cluster-redis', 'clock', 'worker', 'media-port', 'udp-buffers', 'timezone', 'capacity']

t.test('--list prints every check by name and title, in order', async (t) => {
  const r = await doctor(['--list'])
  t.equal(r.code, 0, r.stderr)
  t.same(r.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0]), NAMES)
  t.match(r.stdout, /^data-dir\s+Data folder$/m)
})

t.test('--run with an unknown name says which names exist and exits 1', async (t) => {
  const r = await doctor(['--run', 'databse'])
  t.equal(r.code, 1)
  t.equal(r.stdout, '')
  t.equal(r.stderr, `veche: unknown check 'databse': valid checks are ${NAMES.join(', ')} (\`veche doctor --list\`)\n`)
})

t.test('a whole run prints one line per check and a summary; exit 1 when one fails', async (t) => {
  const data = tempDir(t)
  migratedDatabase(data)
  const r = await doctor(isolated(data))
  t.equal(r.code, 1, 'no license here: an error')
  // The capacity probe loads the machine, so it runs only when named.
  t.equal(r.stdout.split('\n').filter((l) => /^(ok|warn|FAIL|skip) /.test(l)).length, NAMES.length - 1)
  t.match(r.stdout, /^ok   Configuration\s+built-in defaults/m)
  t.match(r.stdout, /^FAIL License\s+unlicensed: .*`veche activate <key>`/m)
  t.match(r.stdout, /^ok   Media worker\s+.*mediasoup-worker runs$/m)
  t.match(r.stdout, /\n\d+ errors?(, \d+ warnings?)?\n$/)
})

t.test('--run takes several names (repeated or comma-separated); --json reports them in registry order', async (t) => {
  const data = tempDir(t)
  migratedDatabase(data)
  const r = await doctor(['--run', 'timezone,worker', '--run', 'database', '--json', ...isolated(data)])
  t.equal(r.code, 0, r.stdout + r.stderr)
  const report = JSON.parse(r.stdout) as { ok: boolean; checks: { name: string; status: string }[] }
  t.equal(report.ok, true)
  t.same(report.checks.map((c) => [c.name, c.status]), [['database', 'ok'], ['worker', 'ok'], ['timezone', 'ok']])
})

t.test('config: an unknown key fails, named with `veche config check`; checks that need it skip', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'veche.yaml')
  writeFileSync(file, `data:\n  dir: ${dir}\nmedia:\n  annoucedAddress: 10.0.0.1\n`)
  const human = await doctor(['--config', file, '--run', 'config,data-dir,worker'])
  t.equal(human.code, 1)
  t.match(human.stdout, `FAIL Configuration  unknown config key 'media.annoucedAddress' (in ${file}): correct it, then \`veche config check\` shows the effective values`)
  t.match(human.stdout, /^skip Data folder\s+the configuration does not load \(see the config check\)$/m)
  t.match(human.stdout, /^ok   Media worker /m, 'checks that need no configuration still run')
  t.match(human.stdout, /\n1 error, 1 skipped\n$/)
})

t.test('timezone: a TZ naming no zone warns without failing doctor; a real zone shows its offset', async (t) => {
  const bad = await check('timezone', isolated(tempDir(t)), { TZ: 'Mars/Olympus' })
  t.equal(bad.code, 0, 'a warning does not fail doctor')
  t.equal(bad.status, 'warning')
  t.equal(bad.message, 'TZ=Mars/Olympus is not a time zone name, so times show as UTC+00:00: unset TZ or set a name such as Europe/Moscow (`timedatectl list-timezones`)')

  const saved = process.env.TZ
  t.teardown(() => {
    if (saved === undefined) delete process.env.TZ
    else process.env.TZ = saved
  })
  // Node re-reads TZ when it is assigned.
  process.env.TZ = 'Europe/Moscow'
  t.same(await timezoneCheck.run(contextWith(tempDir(t)), false), { status: 'ok', message: 'Europe/Moscow (UTC+03:00, from the TZ variable)' })
  delete process.env.TZ
  const system = await timezoneCheck.run(contextWith(tempDir(t)), false)
  t.equal(system.status, 'ok')
  t.match(system.message, /^\S+ \(UTC[+-]\d\d:\d\d, (\/etc\/timezone: |\/etc\/localtime -> |no \/etc\/localtime)/)
})

