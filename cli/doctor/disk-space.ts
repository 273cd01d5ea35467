// How much free space the data folder needs: the database, TLS keys, backups taken before an update.
export const MIB = 1024 * 1024
export const GIB = 1024 * MIB
/** Below this an update's backup or a busy day's database growth may not fit. */
export const WARN_FREE_BYTES = 1 * GIB
/** Below this SQLite may fail a write and the server stop taking sign-ins. */
export const ERROR_FREE_BYTES = 200 * MIB

export function formatBytes(bytes: number): string {
  return bytes >= GIB ? `${(bytes / GIB).toFixed(1)} GiB` : `${Math.floor(bytes / MIB)} MiB`
}

/** spaceStatus returns how worrying `free` bytes are on the data folder's filesystem. */
export function spaceStatus(free: number): 'ok' | 'warning' | 'error' {
  if (free < ERROR_FREE_BYTES) return 'error'
  if (free < WARN_FREE_BYTES) return 'warning'
  return 'ok'
}
