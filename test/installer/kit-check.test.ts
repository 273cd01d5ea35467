// `veche update check`: every refusal a sysadmin can meet, each with its own message and exit code,
// and nothing changed by checking.
import t from 'tap'
import { execFile, execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { issueUpdatePackage } from '../../license-keys/vendor/issue.ts'
import { createSigningKey } from '../../license-keys/vendor/signing-keys.ts'
import { tempDir } from '../helper.ts'
import { testKit } from '../kits.ts'
import { licenseKey, seedActivatedLicense } from '../license-helper.ts'
import { VECHE } from '../server-process.ts'
import { tarGz } from '../tar-writer.ts'

const run = promisify(execFile)
const DAY = 86_400
const now = Math.floor(Date.now() / 1000)

async function check(kit: string, data: string, extra: string[] = []) {
  const args = ['update', 'check', kit, '--json', '--set', `data.dir=${data}`, '--set', `install.dir=${join(data, 'opt')}`, ...extra]
  try {
    const { stdout } = await run(VECHE, args)
    return { code: 0, report: JSON.parse(stdout) }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, report: e.stdout ? JSON.parse(e.stdout) : undefined, stderr: e.stderr }
  }
}
const failed = (report: { checks: { id: string; ok: boolean; message: string }[] }) => report.checks.filter((c) => !c.ok)

/** repack extracts a kit, lets `change` edit the tree, and packs it again without re-signing. */
function repack(kit: string, dir: string, change: (top: string) => void): string {
  const work = join(dir, `work-${Math.random().toString(36).slice(2)}`)
  mkdirSync(work)
  execFileSync('tar', ['-xzf', kit, '-C', work])
  const top = readdirSync(work)[0]!
  change(join(work, top))
  const out = join(dir, `${top}-tampered-${Math.random().toString(36).slice(2)}.tar.gz`)
  execFileSync('tar', ['-I', 'gzip -1', '-cf', out, '-C', work, top])
  return out
}

t.test('kit checks', async (t) => {
  const dir = tempDir(t, 'veche-kits-')
  const data = join(dir, 'data')
  mkdirSync(data)
  const claims = await seedActivatedLicense(data, { issuedAt: now - 30 * DAY, activatedAt: now })

  const good = await testKit(dir, { version: '0.2.0' })

  await t.test('a good kit may be installed', async (t) => {
    const { code, report } = await check(good, data)
    t.equal(code, 0, JSON.stringify(failed(report)))
    t.equal(report.ok, true)
    t.same(report.checks.map((c: { id: string }) => c.id), ['archive', 'signature', 'paths', 'files', 'version', 'upgrade-path', 'disk-space', 'license'])
    t.equal(report.manifest.version, '0.2.0')
    t.equal(report.installedVersion, '0.1.0')
    const human = execFileSync(VECHE, ['update', 'check', good, '--set', `data.dir=${data}`, '--set', `install.dir=${join(dir, 'opt')}`], { encoding: 'utf8' })
    t.match(human, /result:\s+this kit may be installed/)
  })

  await t.test('a flipped byte, an added file, a removed file: not authentic (exit 2)', async (t) => {
    const flipped = repack(good, dir, (top) => {
      const f = join(top, 'server/app.ts')
      const b = readFileSync(f)
      b[100] = b[100]! ^ 0x20
      writeFileSync(f, b)
    })
    let r = await check(flipped, data)
    t.equal(r.code, 2)
    t.match(failed(r.report)[0], { id: 'files', message: /server\/app\.ts: content differs from the manifest/ })

    r = await check(repack(good, dir, (top) => writeFileSync(join(top, 'server/backdoor.ts'), 'export {}\n')), data)
    t.equal(r.code, 2)
    t.match(failed(r.report)[0], { id: 'files', message: /server\/backdoor\.ts: not in the manifest/ })

    r = await check(repack(good, dir, (top) => execFileSync('rm', [join(top, 'cli/main.ts')])), data)
    t.equal(r.code, 2)
    t.match(failed(r.report)[0], { id: 'files', message: /cli\/main\.ts: missing/ })

    const truncated = join(dir, 'truncated.tar.gz')
    writeFileSync(truncated, readFileSync(good).subarray(0, 1_000_000))
    r = await check(truncated, data)
    t.equal(r.code, 2)
    t.match(failed(r.report)[0], { id: 'archive', message: /truncated|not a readable/ })
  })

  await t.test('a manifest signed by a key this release does not trust (exit 2)', async (t) => {
    const keys = join(dir, 'rogue-keys')
    const rogue = createSigningKey('release', keys, { kid: 'release-rogue-1' })
    const kit = await testKit(join(dir, 'rogue'), { version: '0.2.0', key: rogue.file })
    const r = await check(kit, data)
    t.equal(r.code, 2)
    t.match(failed(r.report)[0], { id: 'signature', message: /signed by key id 'release-rogue-1', which this Veche release does not know/ })
    // A license-signing key cannot stand in for the release key, even though it is trusted.
    const asLicense = await testKit(join(dir, 'aslicense'), { version: '0.2.0', key: join(import.meta.dirname, '../fixtures/vendor-keys/test-license-1.private.jwk.json') }).catch((e: Error) => e)
    t.match(asLicense, { message: /purpose|release/ }, 'the kit builder refuses a license key')
  })

  await t.test('paths escaping the kit, and links, are refused (exit 2)', async (t) => {
    const evil = join(dir, 'evil.tar.gz')
    writeFileSync(
      evil,
      tarGz([
        { path: 'veche-0.2.0/', type: 'directory' },
        { path: 'veche-0.2.0/manifest.jwt', data: execFileSync('tar', ['-xzOf', good, 'veche-0.2.0/manifest.jwt'], { maxBuffer: 64 << 20 }) },
        { path: 'veche-0.2.0/../../etc/cron.d/evil', data: Buffer.from('* * * * * root sh\n') },
        { path: 'veche-0.2.0/bin/link', type: 'symlink', linkTarget: '/etc/shadow' },
        { path: '/etc/passwd', data: Buffer.from('x') },
      ]),
    )
    const r = await check(evil, data)
    t.equal(r.code, 2)
    const paths = r.report.checks.find((c: { id: string }) => c.id === 'paths')
    t.equal(paths.ok, false)
    t.match(paths.message, /'\.\.' escapes the kit/)
    t.match(paths.message, /bin\/link: a symbolic link; a kit holds only files and folders/)
    t.match(paths.message, /absolute path/)
  })

  await t.test('an older kit is refused: versions only grow (exit 3)', async (t) => {
    const older = await testKit(join(dir, 'older'), { version: '0.0.9' })
    const r = await check(older, data)
    t.equal(r.code, 3)
    t.match(failed(r.report), [{ id: 'version', message: /0\.0\.9 is older than the installed 0\.1\.0: versions only grow/ }])
  })

  await t.test('an upgrade path that skips a required release is refused (exit 3)', async (t) => {
    const jump = await testKit(join(dir, 'jump'), { version: '0.5.0', minUpgradeFrom: '0.4.0' })
    const r = await check(jump, data)
    t.equal(r.code, 3)
    t.match(failed(r.report), [{ id: 'upgrade-path', message: /upgrades only from 0\.4\.0 or later/ }])
  })

  await t.test('a kit released after updates-until, accepted once an update-package license is installed', async (t) => {
    const late = await testKit(join(dir, 'late'), { version: '0.3.0', releaseDate: claims.updatesUntil + 30 * DAY })
    let r = await check(late, data)
    t.equal(r.code, 3)
    t.match(failed(r.report), [{ id: 'license', message: /after this license's updates ended on .*: install an update-package license/ }])
    const pkg = await issueUpdatePackage({ licenseId: claims.sub, updatesUntil: claims.updatesUntil + 365 * DAY }, licenseKey())
    const file = join(dir, 'update-package.txt')
    writeFileSync(file, pkg.token)
    execFileSync(VECHE, ['license', 'install-update-package', file, '--set', `data.dir=${data}`])
    r = await check(late, data)
    t.equal(r.code, 0, JSON.stringify(r.report && failed(r.report)))
  })

  await t.test('not enough disk space is refused before anything is written (exit 3)', async (t) => {
    const small = join(dir, 'small-disk')
    mkdirSync(small)
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=50m', 'tmpfs', small])
    } catch (err) {
      // setup and CI run as root; anywhere else this check cannot be staged.
      t.fail(`cannot mount a 50 MB tmpfs to stand for a full disk (needs root): ${(err as Error).message}`)
      return
    }
    t.teardown(() => void execFileSync('umount', [small]))
    const r = await check(good, data, ['--set', `install.dir=${join(small, 'opt/veche')}`])
    t.equal(r.code, 3)
    t.match(failed(r.report), [{ id: 'disk-space', message: /not enough disk space: \d+ MB needed, \d+ MB free at .*small-disk/ }])
    t.same(readdirSync(small), [], 'nothing written')
  })
})
