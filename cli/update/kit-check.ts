// Decides, without changing anything, whether a distribution kit may be installed here: authentic
// (signed manifest, every file's size and hash, nothing extra or missing, no path escaping the kit),
// newer than what runs, allowed to upgrade from it, fitting on disk, and covered by the license.
import { createHash } from 'node:crypto'
import { existsSync, statfsSync, statSync } from 'node:fs'
import { dirname, posix } from 'node:path'
import type { ReleaseClaims } from '../../license-keys/claims.ts'
import { LicenseError } from '../../license-keys/errors.ts'
import type { Keyring } from '../../license-keys/keyring.ts'
import { verifyToken } from '../../license-keys/verify.ts'
import type { LicenseState } from '../../server/license/evaluate.ts'
import { compareVersions } from './semver.ts'
import { readTarGz, TarFormatError } from './tar-reader.ts'

export type CheckId = 'archive' | 'signature' | 'paths' | 'files' | 'version' | 'upgrade-path' | 'disk-space' | 'license'

export interface CheckResult {
  id: CheckId
  ok: boolean
  message: string
}

/** Exit codes of `veche update check` (and the refusals of `apply`). */
export const EXIT = { ok: 0, error: 1, notAuthentic: 2, notApplicable: 3 } as const

const AUTHENTICITY: CheckId[] = ['archive', 'signature', 'paths', 'files']

export interface KitReport {
  ok: boolean
  exitCode: number
  checks: CheckResult[]
  manifest: ReleaseClaims | undefined
  /** The kit's top folder, `veche-<version>`. */
  topDir: string | undefined
  unpackedBytes: number
}

export interface CheckContext {
  keyring: Keyring
  installedVersion: string | undefined
  license: LicenseState
  /** Folders the update writes to (install and data); each must have room. */
  writeTargets: { path: string; extraBytes: number }[]
  /** Unix seconds. */
  now?: number
}

const MB = 1e6
const day = (unix: number): string => new Date(unix * 1000).toISOString().slice(0, 10)

function freeBytes(path: string): number {
  let p = path
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p)
  const s = statfsSync(p)
  return s.bavail * s.bsize
}

/** pathProblem says why a tar entry's path or type is not allowed in a kit, or undefined. */
function pathProblem(path: string, type: string): string | undefined {
  if (type !== 'file' && type !== 'directory') return `${path}: ${type} entries are not allowed`
  if (path.startsWith('/')) return `${path}: absolute path`
  const parts = path.split('/').filter((p) => p !== '' && p !== '.')
  if (parts.includes('..')) return `${path}: '..' escapes the kit`
  if (parts.length === 0) return `${path}: empty path`
  return undefined
}

/** checkKit reads the whole kit once and returns every check's verdict; it never writes anything. */
export async function checkKit(kitFile: string, ctx: CheckContext): Promise<KitReport> {
  const checks: CheckResult[] = []
  const add = (id: CheckId, ok: boolean, message: string): void => void checks.push({ id, ok, message })
  const files = new Map<string, { size: number; sha256: string }>()
  const pathProblems: string[] = []
  const tops = new Set<string>()
  let manifestText = ''

  try {
    await readTarGz(kitFile, {
      entry(e) {
        const problem = pathProblem(e.path, e.type)
        if (problem) {
          pathProblems.push(problem)
          return undefined
        }
        const parts = posix.normalize(e.path).split('/').filter(Boolean)
        tops.add(parts[0]!)
        if (e.type !== 'file') return undefined
        const rel = parts.slice(1).join('/')
        const hash = createHash('sha256')
        let size = 0
        const chunks: Buffer[] = []
        return {
          data(chunk) {
            size += chunk.length
            hash.update(chunk)
            if (rel === 'manifest.jwt' && parts.length === 2) chunks.push(Buffer.from(chunk))
          },
          end() {
            if (rel === 'manifest.jwt' && parts.length === 2) manifestText = Buffer.concat(chunks).toString('utf8')
            else files.set(parts.length === 1 ? `/${parts[0]}` : rel, { size, sha256: hash.digest('hex') })
          },
        }
      },
    })
    add('archive', true, 'a complete .tar.gz')
  } catch (err) {
    const message = err instanceof TarFormatError ? err.message : `cannot read the kit: ${(err as Error).message}`
    add('archive', false, message)
    return finish(checks, undefined, undefined, 0)
  }

  let manifest: ReleaseClaims | undefined
  if (!manifestText) add('signature', false, 'the kit has no manifest.jwt: it is not a Veche distribution kit')
  else {
    try {
      manifest = await verifyToken('release', manifestText, ctx.keyring, ctx.now === undefined ? {} : { now: ctx.now })
      add('signature', true, `manifest signed by a trusted release key, version ${manifest.version}, released ${day(manifest.releaseDate)}`)
    } catch (err) {
      if (!(err instanceof LicenseError)) throw err
      add('signature', false, err.message.replace('a release manifest', 'the kit manifest'))
    }
  }

  const topDir = tops.size === 1 ? [...tops][0] : undefined
  if (manifest && topDir !== `veche-${manifest.version}`) {
    pathProblems.push(`the kit's top folder is ${[...tops].join(', ') || 'missing'}, not veche-${manifest.version}`)
  }
  for (const path of files.keys()) if (path.startsWith('/')) pathProblems.push(`${path.slice(1)}: a file outside the kit's top folder`)
  add('paths', pathProblems.length === 0, pathProblems.length ? pathProblems.slice(0, 5).join('; ') : 'every entry is a plain file or folder inside the kit')

  let unpackedBytes = 0
  if (manifest) {
    const problems: string[] = []
    for (const [path, [size, sha256]] of Object.entries(manifest.files)) {
      unpackedBytes += size
      const got = files.get(path)
      if (!got) problems.push(`${path}: missing`)
      else if (got.size !== size) problems.push(`${path}: ${got.size} bytes, manifest says ${size}`)
      else if (got.sha256 !== sha256) problems.push(`${path}: content differs from the manifest (sha256)`)
    }
    for (const path of files.keys()) if (!Object.hasOwn(manifest.files, path)) problems.push(`${path}: not in the manifest`)
    add(
      'files',
      problems.length === 0,
      problems.length
        ? `${problems.length} file${problems.length === 1 ? '' : 's'} do not match the signed manifest: ${problems.slice(0, 5).join('; ')}`
        : `${files.size} files, ${(unpackedBytes / MB).toFixed(0)} MB, every size and sha256 matches`,
    )
  }
  if (!manifest || checks.some((c) => AUTHENTICITY.includes(c.id) && !c.ok)) return finish(checks, manifest, topDir, unpackedBytes)

  const installed = ctx.installedVersion
  if (!installed) add('version', true, `${manifest.version} (nothing installed yet)`)
  else {
    const cmp = compareVersions(manifest.version, installed)
    add(
      'version',
      cmp > 0,
      cmp > 0
        ? `${manifest.version} is newer than the installed ${installed}`
        : cmp === 0
          ? `${manifest.version} is already installed`
          : `${manifest.version} is older than the installed ${installed}: versions only grow (to go back, use \`veche update rollback\`)`,
    )
  }
  if (installed) {
    const ok = compareVersions(installed, manifest.minUpgradeFrom) >= 0
    add(
      'upgrade-path',
      ok,
      ok
        ? `upgrades from ${manifest.minUpgradeFrom} or later; ${installed} qualifies`
        : `this kit upgrades only from ${manifest.minUpgradeFrom} or later; install an intermediate release first`,
    )
  }

  const space: string[] = []
  let spaceOk = true
  for (const target of ctx.writeTargets) {
    const need = Math.ceil((unpackedBytes + target.extraBytes) * 1.1)
    const free = freeBytes(target.path)
    space.push(`${(need / MB).toFixed(0)} MB needed, ${(free / MB).toFixed(0)} MB free at ${target.path}`)
    if (free < need) spaceOk = false
  }
  add('disk-space', spaceOk, spaceOk ? space.join('; ') : `not enough disk space: ${space.join('; ')}; free some space and check again`)

  add('license', ...licenseCovers(manifest, ctx.license))
  return finish(checks, manifest, topDir, unpackedBytes)
}

/** licenseCovers: a perpetual license covers kits released until its (extended) updates-until; a subscription, while active. */
function licenseCovers(manifest: ReleaseClaims, s: LicenseState): [boolean, string] {
  const claims = s.claims
  if (s.status === 'unlicensed' || !claims) return [false, `no license is activated: activate it first (\`veche activate <key>\`)`]
  if (s.status === 'invalid') return [false, s.problem?.message ?? 'the installed license is not valid']
  if (claims.term === 'subscription') {
    return s.status === 'active'
      ? [true, `subscription active until ${day(claims.termEnd ?? 0)}`]
      : [false, `the subscription is not active (${s.problem?.message ?? s.status}): install a renewed key first`]
  }
  const until = s.updatesUntil ?? claims.updatesUntil
  return manifest.releaseDate <= until
    ? [true, `released ${day(manifest.releaseDate)}; updates are covered until ${day(until)}`]
    : [
        false,
        `released ${day(manifest.releaseDate)}, after this license's updates ended on ${day(until)}: ` +
          'install an update-package license with `veche license install-update-package <file>`',
      ]
}

function finish(checks: CheckResult[], manifest: ReleaseClaims | undefined, topDir: string | undefined, unpackedBytes: number): KitReport {
  const failed = checks.filter((c) => !c.ok)
  const exitCode = failed.length === 0 ? EXIT.ok : failed.some((c) => AUTHENTICITY.includes(c.id)) ? EXIT.notAuthentic : EXIT.notApplicable
  return { ok: failed.length === 0, exitCode, checks, manifest, topDir, unpackedBytes }
}

/** databaseBytes is the size of the database a backup copies (0 before the first start). */
export function databaseBytes(file: string): number {
  return existsSync(file) ? statSync(file).size : 0
}
