// Writes a .tar.gz (ustar) entry by entry, streaming each file's bytes: a large database never has
// to fit in memory. Only what a backup holds: regular files with short relative paths.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Writable } from 'node:stream'
import { createGzip } from 'node:zlib'
import { openPlainFile } from './open-file.ts'

export interface TarFile {
  /** Path inside the archive, e.g. `tls/ca.key`; at most 100 bytes. */
  path: string
  mode: number
  size: number
  /** Unix seconds. */
  mtime: number
  /** The bytes: in memory, or a file read when its turn comes (its size must not change meanwhile). */
  source: Buffer | string
  /** For a file source: the SHA-256 backup.json lists; bytes that differ (rewritten in place) fail the archive. */
  sha256?: string
}

/** SourceChangedError: a file changed or vanished between being listed and being archived. */
export class SourceChangedError extends Error {
  override name = 'SourceChangedError'
}

const BLOCK = 512

function header(file: TarFile): Buffer {
  const h = Buffer.alloc(BLOCK)
  const put = (text: string, at: number, length: number): void => void h.write(text, at, length, 'utf8')
  const octal = (n: number, at: number, length: number): void => put(n.toString(8).padStart(length - 1, '0'), at, length - 1)
  if (Buffer.byteLength(file.path) > 100) throw new Error(`archive path too long (over 100 bytes): ${file.path}`)
  put(file.path, 0, 100)
  octal(file.mode & 0o7777, 100, 8)
  octal(0, 108, 8) // uid
  octal(0, 116, 8) // gid
  octal(file.size, 124, 12)
  octal(Math.floor(file.mtime), 136, 12)
  h.fill(' ', 148, 156) // the checksum counts its own field as spaces
  put('0', 156, 1) // regular file
  put('ustar\u000000', 257, 8)
  let sum = 0
  for (const b of h) sum += b
  put(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8)
  return h
}

async function* tarStream(files: TarFile[]): AsyncGenerator<Buffer> {
  for (const file of files) {
    yield header(file)
    let written = 0
    if (typeof file.source === 'string') {
      const hash = createHash('sha256')
      let fd: number
      try {
        fd = openPlainFile(file.source)
      } catch (err) {
        throw new SourceChangedError(`${file.path} could not be read while being archived (${(err as Error).message})`)
      }
      for await (const chunk of createReadStream('', { fd })) {
        written += (chunk as Buffer).length
        if (file.sha256) hash.update(chunk as Buffer)
        yield chunk as Buffer
      }
      if (file.sha256 && written === file.size && hash.digest('hex') !== file.sha256) {
        throw new SourceChangedError(`${file.path} changed while being archived (its SHA-256 is no longer the one in backup.json)`)
      }
    } else {
      written = file.source.length
      yield file.source
    }
    // A size that changed under us would shift every later header: the archive would be garbage.
    if (written !== file.size) throw new SourceChangedError(`${file.path} changed size while being archived (${file.size} -> ${written} bytes)`)
    const padding = (BLOCK - (file.size % BLOCK)) % BLOCK
    if (padding) yield Buffer.alloc(padding)
  }
  yield Buffer.alloc(2 * BLOCK) // end-of-archive marker
}

/** writeTarGz streams `files` as a gzip-compressed tar into `out`; rejects on any read or write error. */
export async function writeTarGz(files: TarFile[], out: Writable): Promise<void> {
  await pipeline(Readable.from(tarStream(files)), createGzip({ level: 6 }), out)
}
