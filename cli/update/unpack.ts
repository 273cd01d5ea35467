// Unpacks a checked kit into releases/<version> beside the running release. The same reader that
// checked the kit writes it: only the files the signed manifest lists, each no longer than listed and
// hashed as written, never a link, pipe or device; then the unpacked tree is walked and compared with
// the manifest before anything in it runs. A half-unpacked release is only ever `<version>.partial`.
import { createHash } from 'node:crypto'
import { createReadStream, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { ReleaseClaims } from '../../license-keys/claims.ts'
import { failpoint } from '../../server/failpoint.ts'
import { boundedFile, EntryMismatchError } from '../archive/bounded-file.ts'
import { readTarGz, TarFormatError } from '../archive/tar-reader.ts'
import { treeProblems } from '../archive/tree-walk.ts'
import { CliError } from '../errors.ts'
import { kitPath, MANIFEST_FILE, parentFolders } from './kit-paths.ts'
import { progress } from './progress.ts'

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** The kit is not what was checked: it changed since, or was crafted. Names the entry. */
class KitRefusal extends Error {}

function writeEntries(kitFile: string, manifest: ReleaseClaims, into: string): Promise<void> {
  const top = `veche-${manifest.version}`
  const folders = parentFolders(Object.keys(manifest.files))
  const written = new Set<string>()
  const total = Object.keys(manifest.files).length
  const bar = progress('unpacking', total)
  return readTarGz(kitFile, {
    entry(e) {
      const where = kitPath(e)
      if ('problem' in where) throw new KitRefusal(where.problem)
      if (where.top !== top) throw new KitRefusal(`${e.path}: outside the kit's top folder ${top}`)
      if (e.type === 'directory') {
        if (where.rel !== '' && !folders.has(where.rel)) throw new KitRefusal(`${e.path}: a folder no file of the manifest is in`)
        return undefined
      }
      // The manifest itself is written from the verified token, not from the archive.
      if (where.rel === MANIFEST_FILE) return undefined
      const listed = Object.hasOwn(manifest.files, where.rel) ? manifest.files[where.rel] : undefined
      if (!listed) throw new KitRefusal(`${where.rel}: not in the signed manifest`)
      if (written.has(where.rel)) throw new KitRefusal(`${where.rel}: appears twice in the kit`)
      if (e.size !== listed[0]) throw new KitRefusal(`${where.rel}: ${e.size} bytes, the manifest says ${listed[0]}`)
      written.add(where.rel)
      bar.update(written.size)
      if (written.size === Math.floor(total / 2)) failpoint('update:mid-unpack')
      const file = join(into, where.rel)
      mkdirSync(dirname(file), { recursive: true, mode: 0o755 })
      // Only the executable bit is taken from the archive: no set-id bits, nothing writable by others.
      return boundedFile(file, e.mode & 0o111 ? 0o755 : 0o644, { size: listed[0], sha256: listed[1] }, where.rel)
    },
  }).finally(() => bar.end())
}

function unpackError(err: unknown, releasesDir: string): CliError {
  if (err instanceof CliError) return err
  if (err instanceof KitRefusal || err instanceof EntryMismatchError) {
    return new CliError(`the kit is not the one that was checked (${err.message}): it changed since or was crafted; check it again with \`veche update check\``)
  }
  if (err instanceof TarFormatError) return new CliError(`the kit cannot be read (${err.message}): copy it again`)
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'ENOSPC' || code === 'EDQUOT') return new CliError(`the disk is full at ${releasesDir}: free some space and apply again`)
  return new CliError(`unpacking into ${releasesDir} failed (${(err as Error).message})`)
}

/**
 * unpackRelease writes the kit's files into releases/<version> and returns that folder. `manifestToken`
 * is the verified manifest.jwt, kept in the release. Throws CliError when the archive holds anything
 * the manifest does not list or differs from it, or the disk fills; the partial folder is removed.
 */
export async function unpackRelease(kitFile: string, manifest: ReleaseClaims, manifestToken: string, releasesDir: string): Promise<string> {
  const final = join(releasesDir, manifest.version)
  const partial = `${final}.partial`
  rmSync(partial, { recursive: true, force: true })
  mkdirSync(partial, { recursive: true, mode: 0o755 })
  try {
    await writeEntries(kitFile, manifest, partial)
    writeFileSync(join(partial, MANIFEST_FILE), `${manifestToken.trim()}\n`, { mode: 0o644 })
    const sizes = new Map(Object.entries(manifest.files).map(([path, [size]]) => [path, size]))
    const problems = treeProblems(partial, sizes, 'the manifest', new Set([MANIFEST_FILE]))
    if (problems.length) throw new KitRefusal(`${problems.length} differences after unpacking: ${problems.slice(0, 5).join('; ')}`)
    const verify = progress('verifying unpacked files', sizes.size)
    let done = 0
    for (const [path, [, hash]] of Object.entries(manifest.files)) {
      if ((await sha256(join(partial, path))) !== hash) throw new CliError(`unpacked ${path} does not match the manifest after unpacking (a disk error?)`)
      verify.update(++done)
    }
    verify.end()
  } catch (err) {
    rmSync(partial, { recursive: true, force: true })
    throw unpackError(err, releasesDir)
  }
  rmSync(final, { recursive: true, force: true })
  renameSync(partial, final)
  return final
}
