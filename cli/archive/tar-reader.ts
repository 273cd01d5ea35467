// The one reader of .tar.gz archives (distribution kits and backups): tar-stream parses, this file
// turns each entry into a plain record and refuses what no honest archive holds. The same walk that
// checks an archive is the walk that writes it out, so what is checked is what gets written.
import { createReadStream } from 'node:fs'
import { createGunzip } from 'node:zlib'
import tarStream from 'tar-stream'

/** What an entry is; anything but a file or a folder is refused by every caller. */
export type EntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'fifo' | 'device' | 'unknown'

export interface TarEntry {
  path: string
  type: EntryType
  size: number
  mode: number
  linkTarget: string
}

export interface EntrySink {
  data(chunk: Buffer): void
  end(): void
  /** Called instead of end() when the walk stops inside this entry (truncation, an error elsewhere). */
  abort?(): void
}

export interface EntryVisitor {
  /**
   * Called with each entry's header; return a sink for its bytes, or undefined to skip them. An error
   * thrown here or in the sink ends the walk and reaches the caller of readTarGz unchanged.
   */
  entry(entry: TarEntry): EntrySink | undefined
  /**
   * Asked before each next entry: true ends the walk there, unread (a quick look at the first entries
   * of an archive that may hold gigabytes after them). The rest is then neither read nor checked.
   */
  enough?(): boolean
}

export class TarFormatError extends Error {
  override name = 'TarFormatError'
}

/** Entries one archive may hold: a kit has ~5,000; more is a crafted archive filling memory. */
export const MAX_ENTRIES = 200_000
/** Path length in bytes (pax and GNU long names allow any). */
export const MAX_PATH_BYTES = 1024

/** describeType names an entry type the way a sysadmin reads it in a refusal. */
export function describeType(type: EntryType): string {
  switch (type) {
    case 'file':
      return 'a file'
    case 'directory':
      return 'a folder'
    case 'symlink':
      return 'a symbolic link'
    case 'hardlink':
      return 'a hard link'
    case 'fifo':
      return 'a named pipe (FIFO)'
    case 'device':
      return 'a device file'
    case 'unknown':
      return 'an entry of an unknown tar type'
  }
}

function typeOf(type: string | null): EntryType {
  switch (type) {
    case 'file':
    case 'contiguous-file':
      return 'file'
    case 'directory':
      return 'directory'
    case 'symlink':
      return 'symlink'
    case 'link':
      return 'hardlink'
    case 'fifo':
      return 'fifo'
    case 'character-device':
    case 'block-device':
      return 'device'
    default:
      return 'unknown'
  }
}

/** What tar-stream hands out per entry: its header and a stream of its bytes. */
type EntryStream = AsyncIterable<Buffer> & { header: tarStream.Header }

const TRUNCATED = 'the archive is truncated (it ends early)'

function formatError(err: unknown): TarFormatError {
  if (err instanceof TarFormatError) return err
  const message = (err as Error).message
  return new TarFormatError(/Unexpected end of data|Premature close|unexpected end of file/i.test(message) ? TRUNCATED : `not a readable .tar.gz: ${message}`)
}

/** step reads the next entry or chunk; the parser's and gzip's errors become TarFormatError, nothing else does. */
async function step<T>(it: AsyncIterator<T>): Promise<IteratorResult<T>> {
  try {
    return await it.next()
  } catch (err) {
    throw formatError(err)
  }
}

/**
 * readTarGz walks every entry of the gzip-compressed tar `file` in order. Throws TarFormatError for a
 * file that is not a well-formed .tar.gz (truncated, corrupt header, bad gzip), or one whose headers
 * are ambiguous: a folder entry declaring content (other tar readers disagree on where the next
 * header starts), too many entries, an over-long path. Errors of the visitor pass through unchanged.
 */
export async function readTarGz(file: string, visitor: EntryVisitor): Promise<void> {
  const source = createReadStream(file)
  const gunzip = createGunzip()
  const extract = tarStream.extract()
  const fail = (err: Error): void => void extract.destroy(formatError(err))
  source.on('error', fail)
  gunzip.on('error', fail)
  source.pipe(gunzip).pipe(extract)
  let count = 0
  let open: EntrySink | undefined
  try {
    const entries = extract[Symbol.asyncIterator]() as AsyncIterator<EntryStream>
    for (;;) {
      if (visitor.enough?.()) return
      const next = await step(entries)
      if (next.done) break
      const stream = next.value
      const h = stream.header
      if (++count > MAX_ENTRIES) throw new TarFormatError(`the archive has more than ${MAX_ENTRIES} entries: no Veche archive has that many`)
      if (Buffer.byteLength(h.name) > MAX_PATH_BYTES) throw new TarFormatError(`an entry's path is longer than ${MAX_PATH_BYTES} bytes`)
      const entry: TarEntry = { path: h.name, type: typeOf(h.type as string | null), size: h.size, mode: h.mode ?? 0, linkTarget: h.linkname ?? '' }
      if (entry.type === 'directory' && entry.size !== 0) {
        throw new TarFormatError(`the folder entry ${JSON.stringify(entry.path)} declares ${entry.size} bytes of content: the archive was crafted to hide entries`)
      }
      const sink = visitor.entry(entry)
      open = sink
      const chunks = stream[Symbol.asyncIterator]()
      let got = 0
      for (;;) {
        const part = await step(chunks)
        if (part.done) break
        got += part.value.length
        sink?.data(part.value)
      }
      if (entry.type === 'file' && got !== entry.size) throw new TarFormatError(TRUNCATED)
      open = undefined
      sink?.end()
    }
  } finally {
    open?.abort?.()
    // pipe() does not pass an early end back: a walk ended early must close the file and the streams.
    source.destroy()
    gunzip.destroy()
    extract.destroy()
  }
}
