// Writes one backup archive: a consistent online copy of the database (SQLite's backup API, taken by
// the update tool's backup while the server keeps running; on PostgreSQL, a logical export into the
// same SQLite file: postgres-export.ts), the config file in use and the TLS folder, and with
// --with-recordings the files of the finished meeting recordings.
import Database from 'better-sqlite3'
import { chownSync, closeSync, createWriteStream, existsSync, fsyncSync, linkSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statfsSync, statSync } from 'node:fs'
import { hostname } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { usesPostgres, type DatabaseSettings } from '../../server/db/engine.ts'
import { schemaVersion } from '../../server/db/migrations.ts'
import { VERSION } from '../../server/version.ts'
import { CliError } from '../errors.ts'
import { where } from '../db/postgres.ts'
import { backup } from '../update/backup.ts'
import type { Layout } from '../update/layout.ts'
import { exportPostgres, type ExportedTable } from './postgres-export.ts'
import { BACKUP_FORMAT, CONFIG_ENTRY, DATABASE_ENTRY, MANIFEST_ENTRY, RECORDINGS_PREFIX, sha256, sha256File, TLS_PREFIX, type BackupFile, type BackupManifest } from './manifest.ts'
import { folderBytes, selectRecordings, type RecordingSelection } from './recordings.ts'
import { SourceChangedError, writeTarGz, type TarFile } from './tar-writer.ts'

export interface BackupOptions {
  /** The archive, or a folder for the default name; undefined: <data>/backups. */
  out?: string
  /** Also archive the files of finished recordings (they may be gigabytes). */
  withRecordings?: boolean
  /** config.database; a non-empty url: the database is PostgreSQL's, exported (absent: SQLite). */
  database?: DatabaseSettings
}

export interface BackupResult {
  file: string
  bytes: number
  manifest: BackupManifest
  /** TLS folder entries that are not plain files and were left out. */
  skipped: string[]
  /** What the recordings folder holds for the backed-up database, and whether it went into the archive. */
  recordings: RecordingSelection & { included: boolean }
  /** On PostgreSQL: each table's rows and checksum, the same in PostgreSQL and in the archive's copy. */
  tables?: ExportedTable[]
}

const MIB = 1024 * 1024

/**
 * checkFreeSpace refuses a backup that clearly cannot fit in `dir`: it needs at least the database
 * (its copy is staged there) and the recordings (video does not compress). Throws CliError naming both.
 */
function checkFreeSpace(dir: string, layout: Layout, recordingsBytes: number | undefined): void {
  const size = (f: string): number => (existsSync(f) ? statSync(f).size : 0)
  const database = size(layout.database) + size(`${layout.database}-wal`)
  const needed = database + (recordingsBytes ?? 0)
  const s = statfsSync(dir)
  const free = s.bavail * s.bsize
  if (free >= needed) return
  const mib = (n: number, round: (x: number) => number): string => String(round(n / MIB))
  throw new CliError(
    `not enough free space in ${dir} for this backup: it needs about ${mib(needed, Math.ceil)} MiB ` +
      `(database ${mib(database, Math.ceil)} MiB${recordingsBytes === undefined ? '' : `, recordings ${mib(recordingsBytes, Math.ceil)} MiB`}) ` +
      `and ${mib(free, Math.floor)} MiB are free: free space there, or write the backup elsewhere with --out <folder>`,
  )
}

/** backupName: veche-backup-20250102T030405Z.tar.gz (UTC; sorts by time). */
export function backupName(now: Date): string {
  return `veche-backup-${now.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z.tar.gz`
}

/** outputFile: `out` itself, the default name inside `out` when it is a folder, or <data>/backups/<default name>. */
function outputFile(layout: Layout, out: string | undefined, now: Date): string {
  if (out === undefined) return join(layout.backupsDir, backupName(now))
  const path = resolve(out)
  return existsSync(path) && statSync(path).isDirectory() ? join(path, backupName(now)) : path
}

/**
 * copyDatabase takes the online copy through the update tool's backup into `staging`; returns the copy.
 * A read-only reader leaves -wal/-shm beside a stopped server's database: run as root, they would be
 * root's and the server (its own user) could no longer open the database, so they get its owner.
 */
async function copyDatabase(layout: Layout, staging: string): Promise<string> {
  const sidecars = [`${layout.database}-wal`, `${layout.database}-shm`].filter((f) => !existsSync(f))
  const info = await backup({ ...layout, backupsDir: staging, configFile: undefined }, VERSION, 'veche backup')
  if (process.getuid?.() === 0) {
    const owner = statSync(layout.database)
    for (const f of sidecars) if (existsSync(f)) chownSync(f, owner.uid, owner.gid)
  }
  return join(info.dir, 'veche.db')
}

function tlsFiles(dir: string): { files: TarFile[]; skipped: string[] } {
  const files: TarFile[] = []
  const skipped: string[] = []
  if (!existsSync(dir)) return { files, skipped }
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    const st = statSync(path)
    // Only what the local CA keeps there (flat files with plain names); anything else is the admin's.
    if (!st.isFile() || !/^[A-Za-z0-9._-]+$/.test(name) || name.endsWith('.tmp')) {
      skipped.push(name)
      continue
    }
    const data = readFileSync(path)
    files.push({ path: `${TLS_PREFIX}${name}`, mode: st.mode & 0o777, size: data.length, mtime: st.mtimeMs / 1000, source: data })
  }
  return { files, skipped }
}

const changed = (err: SourceChangedError): CliError =>
  new CliError(`${err.message}; no archive was written: run the backup again (a recording deleted or still being written meanwhile?)`)

/** publish gives the finished archive its name without ever replacing an existing file. */
function publish(partial: string, file: string): void {
  try {
    linkSync(partial, file)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw new CliError(`${file} appeared while the backup was written; it was not overwritten: choose another --out`)
    // Some filesystems (FAT, SMB shares) have no hard links: check, then rename (a narrow race, only there).
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw new CliError(`cannot create ${file}: ${(err as Error).message}`)
    if (existsSync(file)) throw new CliError(`${file} appeared while the backup was written; it was not overwritten: choose another --out`)
    renameSync(partial, file)
  }
}

/**
 * createBackup writes the archive (mode 0600, never over an existing file) and returns what it wrote.
 * Throws CliError when there is no database, the output exists, the disk is clearly too small, or a
 * file changed while it was archived (then no archive is left).
 */
export async function createBackup(layout: Layout, options: BackupOptions = {}, now = new Date()): Promise<BackupResult> {
  const { out, withRecordings = false } = options
  const postgres = options.database && usesPostgres(options.database) ? options.database : undefined
  if (!postgres && !existsSync(layout.database)) {
    throw new CliError(`no database at ${layout.database}: nothing to back up (is data.dir right? \`veche config check\` shows it)`)
  }
  const file = outputFile(layout, out, now)
  if (existsSync(file)) throw new CliError(`${file} already exists and a backup never overwrites one: choose another --out`)
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  const recordingsDir = join(layout.dataDir, 'recordings')
  checkFreeSpace(dirname(file), layout, withRecordings ? folderBytes(recordingsDir) : undefined)
  // Beside the output, not in /tmp: the database copy may be large, and /tmp is often small.
  const staging = mkdtempSync(join(dirname(file), '.veche-backup-'))
  const partial = `${file}.${process.pid}.writing`
  try {
    let tables: ExportedTable[] | undefined
    let dbCopy: string
    if (postgres) {
      dbCopy = join(staging, 'veche.db')
      tables = await exportPostgres(postgres, dbCopy)
    } else dbCopy = await copyDatabase(layout, staging)
    const copy = new Database(dbCopy, { readonly: true, fileMustExist: true })
    let schema: number
    let recordings: RecordingSelection
    try {
      schema = schemaVersion(copy)
      // From the copy, not the live database: the archived rows and files then match.
      recordings = await selectRecordings(copy, recordingsDir)
    } finally {
      copy.close()
    }
    const dbStat = statSync(dbCopy)
    const entries: TarFile[] = [{ path: DATABASE_ENTRY, mode: 0o600, size: dbStat.size, mtime: now.getTime() / 1000, source: dbCopy }]
    if (layout.configFile && existsSync(layout.configFile)) {
      const data = readFileSync(layout.configFile)
      entries.push({ path: CONFIG_ENTRY, mode: statSync(layout.configFile).mode & 0o777, size: data.length, mtime: now.getTime() / 1000, source: data })
    }
    const tls = tlsFiles(join(layout.dataDir, 'tls'))
    entries.push(...tls.files)
    if (withRecordings) {
      for (const r of recordings.files) {
        entries.push({ path: `${RECORDINGS_PREFIX}${r.name}`, mode: r.mode, size: r.size, mtime: r.mtime, source: join(recordingsDir, r.name) })
      }
    }

    // Files are hashed here and again as they are archived: one that changed in between fails the
    // backup instead of leaving an archive that restore would refuse.
    const files: BackupFile[] = []
    for (const e of entries) {
      try {
        e.sha256 = typeof e.source === 'string' ? await sha256File(e.source) : sha256(e.source)
      } catch (err) {
        throw changed(new SourceChangedError(`${e.path} could not be read (${(err as Error).message})`))
      }
      files.push({ path: e.path, size: e.size, mode: e.mode, sha256: e.sha256 })
    }
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      product: 'veche',
      version: VERSION,
      schemaVersion: schema,
      createdAt: now.toISOString(),
      hostname: hostname(),
      source: {
        dataDir: layout.dataDir,
        configFile: layout.configFile && existsSync(layout.configFile) ? layout.configFile : null,
        ...(postgres ? { database: `postgres ${where(postgres.url)}` } : {}),
      },
      files,
    }
    const manifestData = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`)
    // backup.json first: restore reads it before the (large) database.
    const archive = [{ path: MANIFEST_ENTRY, mode: 0o600, size: manifestData.length, mtime: now.getTime() / 1000, source: manifestData }, ...entries]

    // Written under a temporary name (O_EXCL, 0600 from the start: it holds keys and password hashes),
    // then linked to the final name, which fails rather than replace a file that appeared meanwhile.
    const fd = openSync(partial, 'wx', 0o600)
    try {
      await writeTarGz(archive, createWriteStream('', { fd, autoClose: false })).catch((err: unknown) => {
        throw err instanceof SourceChangedError ? changed(err) : err
      })
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    publish(partial, file)
    return { file, bytes: statSync(file).size, manifest, skipped: tls.skipped, recordings: { ...recordings, included: withRecordings }, ...(tables ? { tables } : {}) }
  } finally {
    rmSync(partial, { force: true })
    rmSync(staging, { recursive: true, force: true })
  }
}
