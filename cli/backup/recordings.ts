// Which meeting recordings a backup holds: the files of every finished recording the backed-up
// database lists, so the restored rows and files match. A recording still being recorded is left
// out (its file grows while it would be read); so is anything in the folder no recording refers to.
import type Database from 'better-sqlite3'
import { existsSync, lstatSync, readdirSync, type Stats } from 'node:fs'
import { join } from 'node:path'
import { createDb } from '../../server/db/engine.ts'
import { createRecordingsRepository, type Recording } from '../../server/db/recordings-repository.ts'
import { isPlainName, RECORDINGS_PREFIX } from './manifest.ts'

/** The ustar name field: the archive writer refuses longer paths. */
const MAX_ENTRY_PATH = 100

export interface RecordingFile {
  /** File name inside the recordings folder. */
  name: string
  size: number
  mode: number
  /** Unix seconds. */
  mtime: number
}

export interface RecordingSelection {
  /** Files of finished recordings, in the database's order (newest first). */
  files: RecordingFile[]
  /** Finished recordings with at least one file on disk. */
  recordings: number
  bytes: number
  /** Recordings still being recorded when the database was copied: never archived. */
  inProgress: number
  /** Files left out, each with why. */
  skipped: { name: string; why: string }[]
}

/** hasRecordingsTable: a database from before recordings existed (schema < 3) has none. */
/** recordingsIn: the recordings of a backup's copy of the SQLite database. */
const recordingsIn = (db: Database.Database) => createRecordingsRepository(createDb({ url: '', password: '', passwordFile: '' }, db))

const hasRecordingsTable = (db: Database.Database): boolean =>
  db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'recordings'").get() !== undefined

/** fitsArchive: `recordings/<name>` fits the ustar name field (ids make 36 bytes; a hand-edited row may not). */
export const fitsArchive = (name: string): boolean => Buffer.byteLength(`${RECORDINGS_PREFIX}${name}`) <= MAX_ENTRY_PATH

/**
 * selectRecordings lists what `dir` (<data>/recordings) holds for the recordings `db` (the backup's
 * copy of the database) lists. Reads only sizes; never follows a symlink.
 */
export async function selectRecordings(db: Database.Database, dir: string): Promise<RecordingSelection> {
  const selection: RecordingSelection = { files: [], recordings: 0, bytes: 0, inProgress: 0, skipped: [] }
  const rows: Recording[] = hasRecordingsTable(db) ? await recordingsIn(db).listAll() : []
  const claimed = new Set<string>()
  const added = new Set<string>()
  for (const row of rows) {
    for (const name of [row.file, row.chatFile]) claimed.add(name)
    if (row.status === 'recording') {
      selection.inProgress++
      continue
    }
    let found = false
    for (const name of [row.file, row.chatFile]) {
      if (added.has(name)) continue // a hand-edited row naming a file twice: one entry, or restore refuses the archive
      if (!isPlainName(name)) {
        selection.skipped.push({ name, why: 'not a plain file name' })
        continue
      }
      const st = lstatOrUndefined(join(dir, name))
      if (!st) continue // a failed recording may have written nothing
      if (!st.isFile()) selection.skipped.push({ name, why: 'not a regular file' })
      else if (!fitsArchive(name)) selection.skipped.push({ name, why: `name too long for the archive (over ${MAX_ENTRY_PATH - RECORDINGS_PREFIX.length} bytes)` })
      else {
        selection.files.push({ name, size: st.size, mode: st.mode & 0o777, mtime: st.mtimeMs / 1000 })
        added.add(name)
        selection.bytes += st.size
        found = true
      }
    }
    if (found) selection.recordings++
  }
  if (existsSync(dir)) {
    for (const name of readdirSync(dir).sort()) {
      if (!claimed.has(name)) selection.skipped.push({ name, why: 'no recording in the database refers to it' })
    }
  }
  return selection
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/** folderBytes: the size of the regular files directly in `dir` (0 when it does not exist). */
export function folderBytes(dir: string): number {
  if (!existsSync(dir)) return 0
  let total = 0
  for (const name of readdirSync(dir)) {
    const st = lstatOrUndefined(join(dir, name))
    if (st?.isFile()) total += st.size
  }
  return total
}

/** finishedRecordingFiles: the video file of every finished recording `db` lists (what a workspace would play). */
export async function finishedRecordingFiles(db: Database.Database): Promise<string[]> {
  if (!hasRecordingsTable(db)) return []
  return (await recordingsIn(db).listAll())
    .filter((r) => r.status === 'ready' || r.status === 'partial')
    .map((r) => r.file)
}
