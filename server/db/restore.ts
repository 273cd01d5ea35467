// Restores the database from a backup before it is opened, when an update's rollback asked for it.
// Done at start, by whichever release starts next, so a rollback interrupted at any moment still
// completes: the marker stays until the restored file is in place.
import { closeSync, copyFileSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'

export const RESTORE_MARKER = 'restore-pending.json'

export interface RestoreRequest {
  /** The backup database file to put in place. */
  database: string
  reason: string
}

/** requestRestore leaves the marker for the next start; written atomically. */
export function requestRestore(dataDir: string, request: RestoreRequest): void {
  const marker = join(dataDir, RESTORE_MARKER)
  const tmp = `${marker}.tmp`
  const fd = openSync(tmp, 'w', 0o600)
  try {
    writeSync(fd, JSON.stringify(request))
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, marker)
}

/**
 * applyPendingRestore puts the requested backup in place of `<dataDir>/veche.db` and removes the
 * marker; returns the request it carried out, or undefined when none was pending.
 * Throws when the backup named by the marker is missing: starting on the wrong data would be worse.
 */
export function applyPendingRestore(dataDir: string): RestoreRequest | undefined {
  const marker = join(dataDir, RESTORE_MARKER)
  if (!existsSync(marker)) return undefined
  const request = JSON.parse(readFileSync(marker, 'utf8')) as RestoreRequest
  if (!existsSync(request.database)) {
    throw new Error(`a database restore was requested from ${request.database}, which is missing: restore it with \`veche update rollback\` or remove ${marker}`)
  }
  const db = join(dataDir, 'veche.db')
  const tmp = `${db}.restoring`
  copyFileSync(request.database, tmp)
  const fd = openSync(tmp, 'r+')
  fsyncSync(fd)
  closeSync(fd)
  // The backup is a complete database; stale WAL frames of the replaced one must not be replayed into it.
  rmSync(`${db}-wal`, { force: true })
  rmSync(`${db}-shm`, { force: true })
  renameSync(tmp, db)
  rmSync(marker)
  return request
}
