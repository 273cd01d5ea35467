// The shape of backup.json, the first entry of every backup archive: who wrote it, for which database
// schema, and the size and SHA-256 of every other entry.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { openPlainFile } from './open-file.ts'

/** Bumped only if the archive's layout changes in a way an older `veche restore` cannot read. */
export const BACKUP_FORMAT = 1

export const MANIFEST_ENTRY = 'backup.json'
export const DATABASE_ENTRY = 'veche.db'
export const CONFIG_ENTRY = 'veche.yaml'
export const TLS_PREFIX = 'tls/'
/** Meeting recordings (`veche backup --with-recordings`): the files of <data>/recordings, flat. */
export const RECORDINGS_PREFIX = 'recordings/'

/** Plain file names, the only ones a backup carries in a folder: no separators, no `..`, no spaces. */
export const isPlainName = (name: string): boolean => /^[A-Za-z0-9._-]+$/.test(name) && name !== '.' && name !== '..'

export interface BackupFile {
  path: string
  size: number
  sha256: string
  mode: number
}

export interface BackupManifest {
  format: number
  product: 'veche'
  /** The Veche release that wrote the backup. */
  version: string
  /** The database's schema version (highest migration applied). */
  schemaVersion: number
  /** ISO 8601, UTC. */
  createdAt: string
  hostname: string
  /**
   * Where the data came from, for the operator's information only. `database`: the PostgreSQL
   * database exported (`postgres role@host:port/name`); absent for the data folder's SQLite file.
   */
  source: { dataDir: string; configFile: string | null; database?: string }
  files: BackupFile[]
}

/** isEntryPath: the only paths a backup holds (no folders, no `..`, nothing absolute). */
export function isEntryPath(path: string): boolean {
  if (path === MANIFEST_ENTRY || path === DATABASE_ENTRY || path === CONFIG_ENTRY) return true
  for (const prefix of [TLS_PREFIX, RECORDINGS_PREFIX]) if (path.startsWith(prefix)) return isPlainName(path.slice(prefix.length))
  return false
}

/**
 * parseManifest checks backup.json's shape; returns it, or a sentence saying what is wrong.
 * It does not judge the versions: that is the restorer's call.
 */
export function parseManifest(text: string): BackupManifest | string {
  let m: Partial<BackupManifest>
  try {
    m = JSON.parse(text) as Partial<BackupManifest>
  } catch {
    return 'backup.json is not valid JSON'
  }
  if (m?.product !== 'veche') return 'backup.json does not describe a Veche backup'
  if (!Number.isInteger(m.format)) return 'backup.json has no format number'
  if (typeof m.version !== 'string' || !Number.isInteger(m.schemaVersion)) return 'backup.json lacks the version or schema version'
  if (!Array.isArray(m.files)) return 'backup.json has no file list'
  const paths = new Set<string>()
  for (const f of m.files as unknown[]) {
    const file = f as Partial<BackupFile>
    if (typeof file?.path !== 'string' || !isEntryPath(file.path) || file.path === MANIFEST_ENTRY) return `backup.json lists an invalid path: ${JSON.stringify(file?.path)}`
    if (paths.has(file.path)) return `backup.json lists ${file.path} twice`
    paths.add(file.path)
    if (!Number.isInteger(file.size) || typeof file.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(file.sha256)) return `backup.json: bad size or checksum for ${file.path}`
  }
  if (!m.files.some((f) => f.path === DATABASE_ENTRY)) return 'backup.json lists no database'
  return m as BackupManifest
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

/** sha256File hashes a file as it streams (a recording may be gigabytes); a symlink is refused (ELOOP), never followed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream('', { fd: openPlainFile(path) })) hash.update(chunk as Buffer)
  return hash.digest('hex')
}
