// Writes one archive entry to a new file: never over an existing path or through a link, never more
// bytes than the signed list says, and the content hashed as it is written so a mismatch is found
// before anything reads the file.
import { createHash } from 'node:crypto'
import { closeSync, constants, openSync, writeSync } from 'node:fs'
import type { EntrySink } from './tar-reader.ts'

/** An entry whose bytes are not what its signed list says; the caller removes what it wrote. */
export class EntryMismatchError extends Error {
  override name = 'EntryMismatchError'
  /** The entry, as the caller labelled it. */
  readonly entry: string
  constructor(entry: string, why: string) {
    super(`${entry}: ${why}`)
    this.entry = entry
  }
}

export interface Expected {
  size: number
  sha256: string
}

/**
 * boundedFile opens `path` (which must not exist: O_EXCL, O_NOFOLLOW) with `mode` and returns a sink
 * that writes the entry's bytes. Throws EntryMismatchError past `expected.size` bytes, or at the end
 * when the size or SHA-256 differ; file system errors (a full disk) are thrown as they are.
 */
export function boundedFile(path: string, mode: number, expected: Expected, label: string): EntrySink {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode)
  const hash = createHash('sha256')
  let written = 0
  let open = true
  const close = (): void => {
    if (open) closeSync(fd)
    open = false
  }
  return {
    data(chunk) {
      if (written + chunk.length > expected.size) {
        close()
        throw new EntryMismatchError(label, `more than the ${expected.size} bytes its signed list gives`)
      }
      try {
        for (let off = 0; off < chunk.length; ) off += writeSync(fd, chunk, off)
      } catch (err) {
        close()
        throw err
      }
      hash.update(chunk)
      written += chunk.length
    },
    end() {
      close()
      if (written !== expected.size) throw new EntryMismatchError(label, `${written} bytes, its signed list gives ${expected.size}`)
      if (hash.digest('hex') !== expected.sha256) throw new EntryMismatchError(label, 'content differs from its signed SHA-256')
    },
    abort: close,
  }
}
