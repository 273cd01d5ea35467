// Decides, without changing anything, whether a distribution kit may be installed here: authentic
// (signed manifest, every file's size and hash, nothing extra or missing, no path escaping the kit),
// newer than what runs, allowed to upgrade from it, fitting on disk, and covered by the license.
import { createHash } from 'node:crypto'
import { existsSync, statfsSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import type { ReleaseClaims } from '../../license-keys/claims.ts'
import { LicenseError } from '../../license-keys/errors.ts'
import type { Keyring } from '../../license-keys/keyring.ts'
import { formatBytes, MAX_TEXT_BYTES } from '../../license-keys/limits.ts'
import { verifyToken } from '../../license-keys/verify.ts'
import type { LicenseState } from '../../server/license/evaluate.ts'
import { readTarGz, TarFormatError } from '../archive/tar-reader.ts'
import { firstDuplicateKey } from './duplicate-keys.ts'
import { isCanonicalPath, kitPath, MANIFEST_FILE, parentFolders, RELEASE_ESSENTIALS } from './kit-paths.ts'
import { compareVersions } from './semver.ts'

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
  /** The verified manifest.jwt text, kept in the unpacked release. */
  manifestToken: string | undefined
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

/** A manifest.jwt larger than this is not one (the token's bound plus a line end): read no further. */
const MAX_MANIFEST_BYTES = MAX_TEXT_BYTES.release
/** release.json is a few lines. */
const MAX_RELEASE_JSON_BYTES = 64 * 1024

/** An entry's bytes kept in memory up to its limit; past it, only that it was too large. */
function collect(): { chunks: Buffer[]; size: number; over: boolean } {
  return { chunks: [], size: 0, over: false }
}

/** checkKit reads the whole kit once and returns every check's verdict; it never writes anything. */
export async function checkKit(kitFile: string, ctx: CheckContext): Promise<KitReport> {
  const checks: CheckResult[] = []
  const add = (id: CheckId, ok: boolean, message: string): void => void checks.push({ id, ok, message })
  const files = new Map<string, { size: number; sha256: string }>()
  const folders = new Set<string>()
  const pathProblems: string[] = []
  const tops = new Set<string>()
  const small = { manifest: collect(), release: collect() }

  try {
    await readTarGz(kitFile, {
      entry(e) {
        const where = kitPath(e)
        if ('problem' in where) {
          pathProblems.push(where.problem)
          return undefined
        }
        tops.add(where.top)
        if (e.type === 'directory') {
          if (where.rel) folders.add(where.rel)
          return undefined
        }
        // A file outside the top folder is keyed apart so it can never stand for a listed one.
        const key = where.rel === '' ? `/${where.top}` : where.rel
        if (files.has(key) || (key === MANIFEST_FILE && small.manifest.size > 0)) {
          pathProblems.push(`${key}: appears twice in the kit`)
          return undefined
        }
        const kept = key === MANIFEST_FILE ? small.manifest : key === 'release.json' ? small.release : undefined
        const limit = key === MANIFEST_FILE ? MAX_MANIFEST_BYTES : MAX_RELEASE_JSON_BYTES
        const hash = createHash('sha256')
        let size = 0
        return {
          data(chunk) {
            size += chunk.length
            hash.update(chunk)
            if (!kept || kept.over) return
            if (size > limit) {
              kept.over = true
              kept.chunks = []
            } else kept.chunks.push(Buffer.from(chunk))
          },
          end() {
            if (kept) kept.size = Math.max(size, 1)
            if (key !== MANIFEST_FILE) files.set(key, { size, sha256: hash.digest('hex') })
          },
        }
      },
    })
    add('archive', true, 'a complete .tar.gz')
  } catch (err) {
    const message = err instanceof TarFormatError ? `${err.message}: copy or download the kit again` : `cannot read the kit: ${(err as Error).message}`
    add('archive', false, message)
    return finish(checks, undefined, undefined, undefined, 0)
  }
  const manifestText = small.manifest.over ? '' : Buffer.concat(small.manifest.chunks).toString('utf8')

  let manifest: ReleaseClaims | undefined
  if (small.manifest.over) {
    add('signature', false, `the kit's manifest.jwt is larger than ${formatBytes(MAX_MANIFEST_BYTES)}, which no Veche manifest is: it is not a Veche distribution kit`)
  } else if (!manifestText) add('signature', false, 'the kit has no manifest.jwt: it is not a Veche distribution kit')
  else {
    try {
      manifest = await verifyToken('release', manifestText, ctx.keyring, ctx.now === undefined ? {} : { now: ctx.now })
      const problem = manifestProblem(manifestText, manifest)
      if (problem) {
        manifest = undefined
        add('signature', false, `the kit manifest is signed but malformed (${problem}): it is not a Veche distribution kit; ask the vendor for a new kit`)
      } else add('signature', true, `manifest signed by a trusted release key, version ${manifest.version}, released ${day(manifest.releaseDate)}`)
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
  if (manifest) {
    const implied = parentFolders(Object.keys(manifest.files))
    for (const folder of folders) if (!implied.has(folder)) pathProblems.push(`${folder}/: a folder no file of the manifest is in`)
  }
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
    const lacking = RELEASE_ESSENTIALS.filter((path) => !Object.hasOwn(manifest!.files, path))
    if (lacking.length) problems.push(`not a whole release: it lacks ${lacking.join(', ')}, which every release carries`)
    else {
      const release = releaseVersion(small.release)
      if (release !== manifest.version) problems.push(`release.json names version ${release ?? '(unreadable)'}, the manifest ${manifest.version}`)
    }
    add(
      'files',
      problems.length === 0,
      problems.length
        ? `${problems.length} file${problems.length === 1 ? '' : 's'} do not match the signed manifest: ${problems.slice(0, 5).join('; ')}`
        : `${files.size} files, ${(unpackedBytes / MB).toFixed(0)} MB, every size and sha256 matches`,
    )
  }
  if (!manifest || checks.some((c) => AUTHENTICITY.includes(c.id) && !c.ok)) return finish(checks, manifest, manifestText, topDir, unpackedBytes)

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
  return finish(checks, manifest, manifestText, topDir, unpackedBytes)
}

/** manifestProblem: what the signature cannot vouch for: a file named twice (JSON keeps the last) or an unsafe path. */
function manifestProblem(token: string, manifest: ReleaseClaims): string | undefined {
  const payload = Buffer.from(token.trim().split('.')[1] ?? '', 'base64url').toString('utf8')
  const twice = firstDuplicateKey(payload)
  if (twice !== undefined) return `it names ${JSON.stringify(twice)} twice`
  for (const path of Object.keys(manifest.files)) {
    if (!isCanonicalPath(path) || path === MANIFEST_FILE) return `it lists the unsafe path ${JSON.stringify(path)}`
  }
  return undefined
}

function releaseVersion(kept: { chunks: Buffer[]; over: boolean }): string | undefined {
  if (kept.over) return undefined
  try {
    const v = (JSON.parse(Buffer.concat(kept.chunks).toString('utf8')) as { version?: unknown }).version
    return typeof v === 'string' ? v : undefined
  } catch {
    return undefined
  }
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

function finish(
  checks: CheckResult[],
  manifest: ReleaseClaims | undefined,
  manifestToken: string | undefined,
  topDir: string | undefined,
  unpackedBytes: number,
): KitReport {
  const failed = checks.filter((c) => !c.ok)
  const exitCode = failed.length === 0 ? EXIT.ok : failed.some((c) => AUTHENTICITY.includes(c.id)) ? EXIT.notAuthentic : EXIT.notApplicable
  return { ok: failed.length === 0, exitCode, checks, manifest, manifestToken: manifest ? manifestToken : undefined, topDir, unpackedBytes }
}

/** databaseBytes is the size of the database a backup copies (0 before the first start). */
export function databaseBytes(file: string): number {
  return existsSync(file) ? statSync(file).size : 0
}
