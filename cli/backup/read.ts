// Reads a backup archive: a quick look at backup.json and the config, and the full extraction into a
// staging folder with every file checked against the size and SHA-256 that backup.json lists.
import { createHash, type Hash } from 'node:crypto'
import { closeSync, existsSync, mkdirSync, openSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { CliError } from '../errors.ts'
import { readTarGz, TarFormatError } from '../update/tar-reader.ts'
import { CONFIG_ENTRY, isEntryPath, MANIFEST_ENTRY, parseManifest, RECORDINGS_PREFIX, TLS_PREFIX, type BackupManifest } from './manifest.ts'

/** What restore needs before it touches anything. */
export interface BackupPeek {
  manifest: BackupManifest
  /** The archived config file's text, when the backup has one. */
  configText: string | undefined
}

const unreadable = (archive: string, err: unknown): CliError =>
  new CliError(`${archive} is not a readable backup archive (${(err as Error).message.replace(/\bthe kit\b/g, 'the archive')}): use another copy of the backup`)

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
        if (e.type !== 'file' || (e.path !== MANIFEST_ENTRY && e.path !== CONFIG_ENTRY) || e.size > 1024 * 1024) return undefined
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
 * extractBackup writes every entry of `archive` into the empty folder `dir` (files mode 0600) and
 * checks each against `manifest`. Throws CliError naming the first damaged, missing or unexpected file.
 */
export async function extractBackup(archive: string, manifest: BackupManifest, dir: string): Promise<void> {
  for (const folder of [TLS_PREFIX, RECORDINGS_PREFIX]) mkdirSync(join(dir, folder), { recursive: true, mode: 0o700 })
  const seen = new Map<string, { size: number; sha256: string }>()
  let problem: string | undefined
  let writeError: Error | undefined
  try {
    await readTarGz(archive, {
      entry(e) {
        if (problem || writeError || e.path === MANIFEST_ENTRY) return undefined
        // Refused here, never written: a crafted archive must not place files outside the staging folder.
        if (e.type !== 'file' || !isEntryPath(e.path)) {
          problem = `unexpected entry ${JSON.stringify(e.path)} (${e.type})`
          return undefined
        }
        if (seen.has(e.path)) {
          problem = `${e.path} appears twice`
          return undefined
        }
        // Errors thrown in here would surface as "unreadable archive": a full disk is recorded instead.
        let fd: number
        try {
          fd = openSync(join(dir, e.path), 'wx', 0o600)
        } catch (err) {
          writeError = err as Error
          return undefined
        }
        const hash: Hash = createHash('sha256')
        let size = 0
        return {
          data(chunk) {
            hash.update(chunk)
            size += chunk.length
            if (writeError) return
            try {
              writeSync(fd, chunk)
            } catch (err) {
              writeError = err as Error
            }
          },
          end() {
            closeSync(fd)
            seen.set(e.path, { size, sha256: hash.digest('hex') })
          },
        }
      },
    })
  } catch (err) {
    if (err instanceof TarFormatError) throw unreadable(archive, err)
    throw err
  }
  if (writeError) throw new CliError(`cannot unpack the backup into ${dir}: ${writeError.message}; free disk space there and try again (nothing was changed)`)
  if (problem) throw new CliError(`${archive} is not a Veche backup as \`veche backup\` writes it: ${problem}; nothing was changed`)
  for (const f of manifest.files) {
    const got = seen.get(f.path)
    if (!got) throw new CliError(`${archive} is incomplete: ${f.path} is listed in backup.json but missing; nothing was changed. Use another copy of the backup`)
    if (got.size !== f.size || got.sha256 !== f.sha256) {
      throw new CliError(`${archive} is damaged: ${f.path} does not match its SHA-256 in backup.json; nothing was changed. Use another copy of the backup`)
    }
  }
  const listed = new Set(manifest.files.map((f) => f.path))
  for (const path of seen.keys()) {
    if (!listed.has(path)) throw new CliError(`${archive} holds ${path}, which backup.json does not list: the archive was altered; nothing was changed`)
  }
}
