// Reads a backup archive: a quick look at backup.json and the config, and the full extraction into a
// staging folder with every file checked against the size and SHA-256 that backup.json lists.
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { boundedFile, EntryMismatchError } from '../archive/bounded-file.ts'
import { describeType, readTarGz, TarFormatError } from '../archive/tar-reader.ts'
import { treeProblems } from '../archive/tree-walk.ts'
import { CliError } from '../errors.ts'
import { CONFIG_ENTRY, isEntryPath, MANIFEST_ENTRY, parseManifest, RECORDINGS_PREFIX, TLS_PREFIX, type BackupManifest } from './manifest.ts'

/** What restore needs before it touches anything. */
export interface BackupPeek {
  manifest: BackupManifest
  /** The archived config file's text, when the backup has one. */
  configText: string | undefined
}

const unreadable = (archive: string, err: unknown): CliError =>
  new CliError(`${archive} is not a readable backup archive (${(err as Error).message.replace(/\bthe kit\b/g, 'the archive')}): use another copy of the backup`)

/** backup.json lists every recording (~150 bytes each); a config is a few KiB. Larger is not a backup. */
const MAX_SMALL_ENTRY = 16 * 1024 * 1024

/** peekBackup returns backup.json and the config from `archive` (small entries, kept in memory); writes nothing. */
export async function peekBackup(archive: string): Promise<BackupPeek> {
  if (!existsSync(archive)) throw new CliError(`no such file: ${archive}`)
  const small = new Map<string, Buffer[]>()
  // `veche backup` writes backup.json, the database and the config before the TLS files and recordings:
  // at the first of those the look is over (extraction reads and checks everything later).
  let pastConfig = false
  try {
    await readTarGz(archive, {
      enough: () => pastConfig,
      entry(e) {
        if (e.path.startsWith(TLS_PREFIX) || e.path.startsWith(RECORDINGS_PREFIX)) pastConfig = true
        if (e.type !== 'file' || (e.path !== MANIFEST_ENTRY && e.path !== CONFIG_ENTRY)) return undefined
        if (e.size > MAX_SMALL_ENTRY) throw new CliError(`${archive}: ${e.path} is ${(e.size / 1024 / 1024).toFixed(0)} MiB, more than any backup writes (${MAX_SMALL_ENTRY / 1024 / 1024} MiB): it is not a Veche backup`)
        if (small.has(e.path)) throw new CliError(`${archive} holds ${e.path} twice: the archive was altered; use another copy of the backup`)
        const parts: Buffer[] = []
        small.set(e.path, parts)
        return { data: (chunk) => void parts.push(Buffer.from(chunk)), end: () => undefined }
      },
    })
  } catch (err) {
    if (err instanceof TarFormatError) throw unreadable(archive, err)
    throw err
  }
  const manifestData = small.get(MANIFEST_ENTRY)
  if (!manifestData) throw new CliError(`${archive} has no backup.json: it is not a Veche backup (made by \`veche backup\`)`)
  const manifest = parseManifest(Buffer.concat(manifestData).toString('utf8'))
  if (typeof manifest === 'string') throw new CliError(`${archive}: ${manifest}; it is not a usable Veche backup`)
  const config = small.get(CONFIG_ENTRY)
  return { manifest, configText: config ? Buffer.concat(config).toString('utf8') : undefined }
}

/**
 * extractBackup writes the entries of `archive` that `manifest` lists into the empty folder `dir`
 * (files mode 0600), each no longer than listed and hashed as written, then compares the folder with
 * the list. Throws CliError naming the first damaged, missing or unexpected entry; nothing unlisted is
 * ever written.
 */
export async function extractBackup(archive: string, manifest: BackupManifest, dir: string): Promise<void> {
  for (const folder of [TLS_PREFIX, RECORDINGS_PREFIX]) mkdirSync(join(dir, folder), { recursive: true, mode: 0o700 })
  const listed = new Map(manifest.files.map((f) => [f.path, f]))
  const written = new Set<string>()
  const altered = (what: string): CliError => new CliError(`${archive} is not a Veche backup as \`veche backup\` writes it: ${what}; nothing was changed`)
  try {
    await readTarGz(archive, {
      entry(e) {
        if (e.path === MANIFEST_ENTRY) return undefined
        // Refused here, never written: a crafted archive must not place files outside the staging folder.
        if (e.type !== 'file' || !isEntryPath(e.path)) throw altered(`unexpected entry ${JSON.stringify(e.path)} (${describeType(e.type)})`)
        const f = listed.get(e.path)
        if (!f) throw new CliError(`${archive} holds ${e.path}, which backup.json does not list: the archive was altered; nothing was changed`)
        if (written.has(e.path)) throw altered(`${e.path} appears twice`)
        if (e.size !== f.size) throw damaged(archive, f.path)
        written.add(e.path)
        return boundedFile(join(dir, e.path), 0o600, f, e.path)
      },
    })
  } catch (err) {
    if (err instanceof CliError) throw err
    if (err instanceof TarFormatError) throw unreadable(archive, err)
    if (err instanceof EntryMismatchError) throw damaged(archive, err.entry)
    throw new CliError(`cannot unpack the backup into ${dir}: ${(err as Error).message}; free disk space there and try again (nothing was changed)`)
  }
  for (const f of manifest.files) {
    if (!written.has(f.path)) throw new CliError(`${archive} is incomplete: ${f.path} is listed in backup.json but missing; nothing was changed. Use another copy of the backup`)
  }
  const problems = treeProblems(dir, new Map(manifest.files.map((f) => [f.path, f.size])), 'backup.json')
  if (problems.length) throw altered(problems.slice(0, 3).join('; '))
}

const damaged = (archive: string, path: string): CliError =>
  new CliError(`${archive} is damaged: ${path} does not match its SHA-256 in backup.json; nothing was changed. Use another copy of the backup`)
