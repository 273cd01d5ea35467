// From a real kit to a running appliance: install.sh into a temporary root, the service started the
// way its systemd unit's ExecStart does, a meeting through it in Chromium, a graceful stop, a backup,
// and a restore into a fresh installation that finds the same people and rooms.
import t from 'tap'
import { execFile, execFileSync, spawn } from 'node:child_process'
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { launchBrowser, mediaFlows, newMeetingContext } from '../browser.ts'
import { openDatabase } from '../../server/db/database.ts'
import { tempDir } from '../helper.ts'
import { freePort, testKit } from '../kits.ts'
import { certify, issueTestLicense } from '../license-helper.ts'

const run = promisify(execFile)
const { NODE_OPTIONS: _testLoaders, ...cleanEnv } = process.env
// Media on free loopback ports: other tests may run beside this one.
const mediaEnv = { VECHE_MEDIA_PORT: '0', VECHE_MEDIA_WORKERS: '1', VECHE_MEDIA_LISTEN_IP: '127.0.0.1', VECHE_MEDIA_ANNOUNCED_ADDRESS: '127.0.0.1' }

/** snapshot lists every path under the installation with type, mode, size and mtime. */
function snapshot(root: string): string[] {
  const out: string[] = []
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name)
      if (p.includes('/releases/')) continue
      const st = lstatSync(p)
      out.push(`${p.slice(root.length)} ${st.mode.toString(8)} ${st.isFile() ? st.size : ''} ${st.mtimeMs} ${st.isSymbolicLink() ? readlinkSync(p) : ''}`)
      if (st.isDirectory()) walk(p)
    }
  }
  walk(root)
  return out
}

async function installInto(kitDir: string, root: string, port: number): Promise<string> {
  const { stdout } = await run(join(kitDir, 'installer/install.sh'), ['--prefix', root, '--no-user', '--port', String(port)], { env: cleanEnv })
  return stdout
}

function unitOf(root: string): { exec: string[]; env: Record<string, string> } {
  const unit = readFileSync(join(root, 'etc/systemd/system/veche.service'), 'utf8')
  const exec = /^ExecStart=(.*)$/m.exec(unit)![1]!.split(' ')
  const env = Object.fromEntries([...unit.matchAll(/^Environment=([A-Z_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]))
  return { exec, env }
}

function users(root: string): { users: string[]; rooms: string[] } {
  const db = openDatabase(join(root, 'var/lib/veche/veche.db'))
  try {
    return {
      users: db.prepare('SELECT email FROM users ORDER BY email').pluck().all() as string[],
      rooms: db.prepare('SELECT title FROM rooms ORDER BY title').pluck().all() as string[],
    }
  } finally {
    db.close()
  }
}

t.test('install a kit, meet through it, stop, back up, restore on a fresh install', async (t) => {
  const dir = tempDir(t, 'veche-install-')
  const kit = await testKit(join(dir, 'kits'), { version: '0.1.0' })
  const kitDir = join(dir, 'kit')
  execFileSync('mkdir', ['-p', kitDir])
  execFileSync('tar', ['-xzf', kit, '-C', kitDir, '--strip-components=1'])

  const root = join(dir, 'root')
  const port = await freePort()
  const first = await installInto(kitDir, root, port)
  t.match(first, /Veche 0\.1\.0 is installed\./)
  t.match(first, new RegExp(`Firewall:\\s+allow TCP ${port} \\(HTTPS\\) and UDP\\+TCP 40000-\\d+ \\(media\\)`))
  t.match(first, /Next step: activate the license:\s+veche activate/)
  t.equal(readlinkSync(join(root, 'opt/veche/current')), 'releases/0.1.0')
  t.equal(statSync(join(root, 'etc/veche/veche.yaml')).mode & 0o777, 0o640, 'config 0640')
  t.equal(statSync(join(root, 'var/lib/veche')).mode & 0o777, 0o750, 'data 0750')
  t.equal(statSync(join(root, 'var/lib/veche/tls/ca.key')).mode & 0o777, 0o600, 'TLS keys 0600')

  const before = snapshot(root)
  const second = await installInto(kitDir, root, port)
  t.notMatch(second, /installed release|wrote|installed .*veche\.service/, 'the second run installs nothing')
  t.same(snapshot(root), before, 'running the installer twice changes nothing')

  const verify = await run('systemd-analyze', ['verify', join(root, 'etc/systemd/system/veche.service')]).then(
    () => ({ code: 0, stderr: '' }),
    (e: { code: number; stderr: string }) => e,
  )
  t.equal(verify.code, 0, `systemd-analyze verify: ${verify.stderr}`)

  // A kit is not a checkout: development mode is refused, naming what to do instead.
  const veche = join(root, 'usr/local/bin/veche')
  const cfg = ['--config', join(root, 'etc/veche/veche.yaml')]
  const dev = await run(veche, ['serve', '--dev', ...cfg], { env: cleanEnv }).then(
    () => ({ code: 0, stderr: '' }),
    (e: { code: number; stderr: string }) => e,
  )
  t.equal(dev.code, 1, 'serve --dev from a kit exits 1')
  t.match(dev.stderr, /^veche: --dev is for a development checkout; this is the release kit 0\.1\.0, which has no test signing keys: activate an evaluation or purchased key with `veche activate <key>`/)

  // The sysadmin's next steps, with the installed CLI: activate an evaluation key (offline here), create the owner.
  const DAY = 86_400
  const { token, claims } = await issueTestLicense({
    plan: 'Evaluation',
    kind: 'evaluation',
    term: 'subscription',
    termEnd: Math.floor(Date.now() / 1000) + 30 * DAY,
    limits: { rooms: 2, participantsPerRoom: 5, internalUsers: 10 },
  })
  const request = join(dir, 'request.json')
  await run(veche, ['activate', token, '--offline', '--out', request, ...cfg], { env: cleanEnv })
  const cert = join(dir, 'certificate.txt')
  writeFileSync(cert, await certify(claims.sub, { nonce: JSON.parse(readFileSync(request, 'utf8')).nonce }))
  const activated = await run(veche, ['activate', '--certificate', cert, ...cfg], { env: cleanEnv })
  t.match(activated.stdout, /status:\s+active\nkind:\s+Evaluation: 30 days left/, 'an evaluation key activates offline like any key')
  execFileSync(veche, ['admin', 'create-owner', '--email', 'admin@corp.example', '--name', 'Админ', '--password-stdin', ...cfg], {
    input: 'admin password 1\n',
    env: cleanEnv,
  })

  t.match(readFileSync(join(root, 'etc/sysctl.d/60-veche.conf'), 'utf8'), /^net\.core\.rmem_default = 4194304$/m, 'UDP buffers for the media workers')

  // Start it exactly as the unit's ExecStart, with the unit's environment.
  const unit = unitOf(root)
  const server = spawn(unit.exec[0]!, unit.exec.slice(1), { env: { ...cleanEnv, ...unit.env, ...mediaEnv }, stdio: ['ignore', 'pipe', 'pipe'] })
  const logs: Record<string, unknown>[] = []
  createInterface({ input: server.stdout! }).on('line', (l) => {
    try {
      logs.push(JSON.parse(l) as Record<string, unknown>)
    } catch {
      // not a log line
    }
  })
  const exited = new Promise<number | null>((r) => server.once('exit', (code) => r(code)))
  t.teardown(() => void server.kill('SIGKILL'))
  for (let i = 0; i < 100 && !logs.some((l) => l.msg === 'veche is serving'); i++) await new Promise((r) => setTimeout(r, 200))
  t.ok(logs.some((l) => l.msg === 'veche is serving'), 'the service starts')

  const base = `https://127.0.0.1:${port}`
  const browser = await launchBrowser(t, readFileSync(join(root, 'var/lib/veche/tls/server.crt'), 'utf8'))
  const admin = await (await newMeetingContext(browser)).newPage()
  await admin.goto(`${base}/signin`)
  await admin.fill('#signin-form input[name=email]', 'admin@corp.example')
  await admin.fill('#signin-form input[name=password]', 'admin password 1')
  await admin.click('#signin-form [type=submit]')
  await admin.waitForURL(`${base}/rooms`)
  await admin.fill('#create-room-form input[name=title]', 'Установка')
  await admin.click('#create-room-form [type=submit]')
  const link = (await admin.locator('a[data-testid=room-link]').first().getAttribute('href'))!
  const guest = await (await newMeetingContext(browser)).newPage()
  for (const [page, name] of [[admin, undefined], [guest, 'Гость']] as const) {
    await page.goto(link)
    if (name) await page.fill('input[name=displayName]', name)
    await page.locator('video[data-testid=preview]').waitFor()
    await page.click('[data-testid=join]')
  }
  for (const page of [admin, guest]) await mediaFlows(page)
  t.pass('two people meet through the installed appliance')

  // Graceful stop: everyone is told, the process exits cleanly and quickly.
  const stopAt = Date.now()
  server.kill('SIGTERM')
  t.equal(await exited, 0, 'exit code 0 on SIGTERM')
  t.ok(Date.now() - stopAt < 15_000, `stopped in ${Date.now() - stopAt} ms`)
  t.ok(logs.some((l) => l.msg === 'stopped'), 'the server says it stopped')
  await guest.locator('[data-testid=ended], [data-testid=status-banner]').first().waitFor({ timeout: 10_000 })
  t.pass('the guest is told the meeting ended')

  const saved = users(root)
  t.same(saved, { users: ['admin@corp.example'], rooms: ['Установка'] })

  // Backup, then restore into a fresh installation on "another machine".
  const archive = join(dir, 'veche-backup.tar.gz')
  await run(veche, ['backup', '--out', archive, ...cfg], { env: cleanEnv })
  t.equal(statSync(archive).mode & 0o777, 0o600, 'the backup archive is private')
  const root2 = join(dir, 'root2')
  await installInto(kitDir, root2, await freePort())
  await run(join(root2, 'usr/local/bin/veche'), ['restore', archive, '--keep-config', '--config', join(root2, 'etc/veche/veche.yaml'), '--no-service'], { env: cleanEnv })
  t.same(users(root2), saved, 'the fresh install has the same users and rooms')
  t.equal(statSync(join(root2, 'var/lib/veche/tls/server.key')).mode & 0o777, 0o600)

  const out = await run(join(root, 'opt/veche/current/installer/install.sh'), ['--prefix', root, '--no-user', '--uninstall'], { env: cleanEnv })
  t.match(out.stdout, /Configuration .* and data .* are kept/)
  t.same(readdirSync(join(root, 'var/lib/veche')).includes('veche.db'), true, 'data kept after uninstall')
  t.notOk(existsSync(join(root, 'etc/sysctl.d/60-veche.conf')), 'the sysctl file goes with the program')
})

t.test('a release kit (built without --allow-test-keys) refuses serve --dev and names the way to a license', async (t) => {
  // One more kit build (~15 s): the refusal must come from a kit exactly as customers get it.
  const dir = tempDir(t, 'veche-release-kit-')
  const kit = await testKit(join(dir, 'kits'), { version: '0.1.0', allowTestKeys: false })
  execFileSync('tar', ['-xzf', kit, '-C', dir])
  const data = join(dir, 'data')
  const r = await run(join(dir, 'veche-0.1.0/bin/veche'), ['serve', '--dev', '--set', `data.dir=${data}`], { env: cleanEnv }).then(
    () => ({ code: 0, stderr: '' }),
    (e: { code: number; stderr: string }) => e,
  )
  t.equal(r.code, 1)
  t.equal(
    r.stderr,
    'veche: --dev is for a development checkout; this is the release kit 0.1.0, which never trusts the test keys a development license is signed with: ' +
      'activate an evaluation or purchased key with `veche activate <key>`, then run `veche serve`\n',
  )
  t.notOk(existsSync(data), 'nothing was created')
})
