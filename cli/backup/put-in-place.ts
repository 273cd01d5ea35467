// Moves a checked, unpacked backup into the live locations while the server is stopped. Every file
// it replaces is kept beside the original as `<name>.before-restore-<stamp>`; if a step fails, the
// steps already done are undone in reverse, so the appliance keeps what it had.
import { chmodSync, chownSync, closeSync, constants, copyFileSync, existsSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmdirSync, rmSync, statSync, type Stats } from 'node:fs'
import { dirname, join } from 'node:path'
import { CONFIG_ENTRY, DATABASE_ENTRY, RECORDINGS_PREFIX, TLS_PREFIX } from './manifest.ts'

export interface PlaceTargets {
  dataDir: string
  /** Where the backup's config goes; undefined: it is not restored. */
  configFile: string | undefined
  /** Owner for what lands in the data folder (root restoring for the service's user); undefined: leave as is. */
  owner: { uid: number; gid: number } | undefined
}

export interface PlaceResult {
  /** What was put in place. */
  placed: string[]
  /** The copies of replaced files. */
  kept: string[]
  /** Recording files put in place, and how many were already there with the same bytes. */
  recordings: { placed: string[]; unchanged: number }
}

/** What the server's recording files get: ffmpeg and the chat log create 0666 under serve's umask 0027. */
export const RECORDING_MODE = 0o640

const fsyncDir = (dir: string): void => {
  const fd = openSync(dir, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** tlsMode: keys only for their owner, whatever the archive says; nothing writable by others or executable. */
const tlsMode = (name: string, archived: number): number => (name.endsWith('.key') ? 0o600 : archived & 0o644) | 0o400

const lstatOrUndefined = (path: string): Stats | undefined => {
  try {
    return lstatSync(path)
  } catch {
    return undefined
  }
}

/** sameBytes: the two regular files hold the same bytes (compared in 1 MiB steps: recordings are large). */
function sameBytes(a: string, b: string): boolean {
  if (statSync(a).size !== statSync(b).size) return false
  const fa = openSync(a, constants.O_RDONLY | constants.O_NOFOLLOW)
  const fb = openSync(b, 'r')
  try {
    const ba = Buffer.alloc(1 << 20)
    const bb = Buffer.alloc(1 << 20)
    for (;;) {
      const na = readSync(fa, ba)
      const nb = readSync(fb, bb)
      if (na !== nb || !ba.subarray(0, na).equals(bb.subarray(0, nb))) return false
      if (na === 0) return true
    }
  } finally {
    closeSync(fa)
    closeSync(fb)
  }
}

/**
 * putInPlace moves the database, config, TLS files and recordings from `staging` (extractBackup's
 * folder) into place. Throws the first error after undoing what it had done.
 */
export function putInPlace(staging: string, targets: PlaceTargets, modes: Map<string, number>, stamp: string): PlaceResult {
  const undo: (() => void)[] = []
  const result: PlaceResult = { placed: [], kept: [], recordings: { placed: [], unchanged: 0 } }
  // A second restore within the same second must not replace the first one's kept copy.
  const keepNames = new Map<string, string>()
  const keep = (path: string): string => {
    let name = keepNames.get(path)
    for (let n = 1; !name; n++) {
      const candidate = `${path}.before-restore-${stamp}${n === 1 ? '' : `-${n}`}`
      if (!existsSync(candidate)) name = candidate
    }
    keepNames.set(path, name)
    return name
  }
  const move = (from: string, to: string): void => {
    renameSync(from, to)
    undo.push(() => renameSync(to, from))
  }
  const own = (path: string): void => {
    if (targets.owner) chownSync(path, targets.owner.uid, targets.owner.gid)
  }
  try {
    // Database. Its -wal may hold committed rows not yet in the file: it moves with the old copy
    // (`x.before-restore-<stamp>` + `-wal` stays a consistent pair). The -shm is only an index.
    const db = join(targets.dataDir, 'veche.db')
    if (existsSync(db)) {
      for (const suffix of ['', '-wal', '-journal']) {
        if (!existsSync(db + suffix)) continue
        move(db + suffix, keep(db) + suffix)
        result.kept.push(keep(db) + suffix)
      }
    }
    rmSync(`${db}-shm`, { force: true })
    chmodSync(join(staging, DATABASE_ENTRY), 0o600)
    own(join(staging, DATABASE_ENTRY))
    move(join(staging, DATABASE_ENTRY), db)
    result.placed.push(db)

    // Config: replaced atomically; the new one gets the old one's mode and owner (often root:veche 0640).
    const config = targets.configFile
    if (config && existsSync(join(staging, CONFIG_ENTRY))) {
      mkdirSync(dirname(config), { recursive: true, mode: 0o755 })
      const old = existsSync(config) ? statSync(config) : undefined
      // Copied beside the target first (the staging folder may be on another filesystem than /etc).
      const next = `${config}.restoring`
      copyFileSync(join(staging, CONFIG_ENTRY), next)
      undo.push(() => rmSync(next, { force: true }))
      chmodSync(next, old ? old.mode & 0o777 : 0o640)
      if (old && process.getuid?.() === 0) chownSync(next, old.uid, old.gid)
      if (old) {
        copyFileSync(config, keep(config))
        chmodSync(keep(config), old.mode & 0o777)
        undo.push(() => renameSync(keep(config), config))
        result.kept.push(keep(config))
      } else undo.push(() => rmSync(config, { force: true }))
      renameSync(next, config)
      result.placed.push(config)
    }

    // TLS folder: the whole folder is swapped, so no mix of old and new keys is ever seen.
    const stagedTls = join(staging, TLS_PREFIX)
    const names = readdirSync(stagedTls)
    if (names.length > 0) {
      for (const name of names) {
        chmodSync(join(stagedTls, name), tlsMode(name, modes.get(`${TLS_PREFIX}${name}`) ?? 0o600))
        own(join(stagedTls, name))
      }
      chmodSync(stagedTls, 0o700)
      own(stagedTls)
      const tls = join(targets.dataDir, 'tls')
      if (existsSync(tls)) {
        move(tls, keep(tls))
        result.kept.push(keep(tls))
      }
      move(stagedTls, tls)
      result.placed.push(...names.map((n) => join(tls, n)))
    }

    // Recordings: merged file by file, never swapped, so recordings the archive lacks stay where they are.
    const stagedRecordings = join(staging, RECORDINGS_PREFIX)
    const recordings = existsSync(stagedRecordings) ? readdirSync(stagedRecordings).sort() : []
    if (recordings.length > 0) {
      const dir = join(targets.dataDir, 'recordings')
      if (!existsSync(dir)) {
        mkdirSync(dir, { mode: 0o750 })
        chmodSync(dir, 0o750)
        own(dir)
        undo.push(() => rmdirSync(dir))
      }
      for (const name of recordings) {
        const from = join(stagedRecordings, name)
        const to = join(dir, name)
        const existing = lstatOrUndefined(to)
        if (existing?.isFile() && sameBytes(to, from)) {
          result.recordings.unchanged++
          continue
        }
        if (existing) {
          move(to, keep(to))
          result.kept.push(keep(to))
        }
        try {
          move(from, to)
        } catch (err) {
          // The recordings folder is often a disk of its own: copy there, then rename into place.
          if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err
          const next = `${to}.restoring`
          rmSync(next, { force: true }) // left by a restore that was killed: ours, never a recording
          copyFileSync(from, next, constants.COPYFILE_EXCL)
          undo.push(() => rmSync(next, { force: true }))
          renameSync(next, to)
          undo.push(() => rmSync(to, { force: true }))
        }
        chmodSync(to, RECORDING_MODE)
        own(to)
        result.recordings.placed.push(to)
      }
      fsyncDir(dir)
    }
    fsyncDir(targets.dataDir)
    return result
  } catch (err) {
    for (const step of undo.reverse()) {
      try {
        step()
      } catch {
        // Keep undoing the rest: each step restores one file.
      }
    }
    throw err
  }
}
