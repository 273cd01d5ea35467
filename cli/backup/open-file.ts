// Opens a file a backup reads. Root runs `veche backup`, but the recordings folder is the service
// user's: a symlink planted there must not pull /etc/shadow into the archive (or a FIFO hang it).
import { closeSync, constants, fstatSync, openSync } from 'node:fs'

/**
 * openPlainFile returns a read-only descriptor for the regular file at `path`. Throws ELOOP for a
 * symlink (never followed) and EINVAL for anything that is not a regular file.
 */
export function openPlainFile(path: string): number {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer; it changes nothing for files.
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  if (!fstatSync(fd).isFile()) {
    closeSync(fd)
    throw Object.assign(new Error(`${path} is not a regular file`), { code: 'EINVAL' })
  }
  return fd
}
