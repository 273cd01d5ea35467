// Reads a .tar.gz as a stream of entries (ustar, GNU long names, pax paths), handing each regular
// file's bytes to the caller as they arrive, so a kit is checked without unpacking it.
import { createReadStream } from 'node:fs'
import { createGunzip } from 'node:zlib'

export type EntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other'

export interface TarEntry {
  path: string
  type: EntryType
  size: number
  mode: number
  linkTarget: string
}

export interface EntryVisitor {
  /** Called with each entry's header; return a sink for its bytes, or undefined to skip them. */
  entry(entry: TarEntry): { data(chunk: Buffer): void; end(): void } | undefined
  /**
   * Asked before each next entry: true ends the walk there, unread (a quick look at the first entries
   * of an archive that may hold gigabytes after them). The rest is then neither read nor checked.
   */
  enough?(): boolean
}

export class TarFormatError extends Error {
  override name = 'TarFormatError'
}

const BLOCK = 512
const LONG_NAME = '@gnu-long-name'
const PAX_LOCAL = '@pax-local'
const PAX_GLOBAL = '@pax-global'

const text = (b: Buffer, start: number, length: number): string => {
  const raw = b.subarray(start, start + length)
  const nul = raw.indexOf(0)
  return raw.subarray(0, nul === -1 ? raw.length : nul).toString('utf8')
}

const octal = (b: Buffer, start: number, length: number): number => {
  const s = text(b, start, length).trim()
  if (!/^[0-7]*$/.test(s)) throw new TarFormatError('corrupt tar header (bad number)')
  return s ? parseInt(s, 8) : 0
}

function checksumOk(h: Buffer): boolean {
  let sum = 0
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!
  return sum === octal(h, 148, 8)
}

const typeOf = (flag: string): EntryType =>
  flag === '0' || flag === '' || flag === '7' ? 'file' : flag === '5' ? 'directory' : flag === '2' ? 'symlink' : flag === '1' ? 'hardlink' : 'other'

function paxPath(data: Buffer): string | undefined {
  let rest = data.toString('utf8')
  while (rest.length > 0) {
    const space = rest.indexOf(' ')
    const len = Number(rest.slice(0, space))
    if (!Number.isInteger(len) || len <= 0) break
    const record = rest.slice(space + 1, len - 1)
    if (record.startsWith('path=')) return record.slice(5)
    rest = rest.slice(len)
  }
  return undefined
}

/**
 * readTarGz walks every entry of the gzip-compressed tar `file`. Throws TarFormatError for a file
 * that is not a well-formed .tar.gz (truncated, corrupt header, bad gzip).
 */
export async function readTarGz(file: string, visitor: EntryVisitor): Promise<void> {
  let buf: Buffer = Buffer.alloc(0)
  let pending: { entry: TarEntry; remaining: number; padding: number; sink: ReturnType<EntryVisitor['entry']>; meta?: Buffer[] } | undefined
  let longName: string | undefined
  let paxName: string | undefined
  let ended = false

  const gunzip = createGunzip()
  const source = createReadStream(file)
  const stream = source.pipe(gunzip)
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk
      for (;;) {
        if (pending) {
          if (pending.remaining > 0) {
            if (buf.length === 0) break
            const take = Math.min(pending.remaining, buf.length)
            const part = buf.subarray(0, take)
            if (pending.meta) pending.meta.push(Buffer.from(part))
            else pending.sink?.data(part)
            buf = buf.subarray(take)
            pending.remaining -= take
            if (pending.remaining > 0) break
          }
          if (buf.length < pending.padding) break
          buf = buf.subarray(pending.padding)
          const done = pending
          pending = undefined
          if (done.meta) {
            const data = Buffer.concat(done.meta)
            if (done.entry.path === LONG_NAME) longName = text(data, 0, data.length)
            else if (done.entry.path === PAX_LOCAL) paxName = paxPath(data) ?? paxName
          } else done.sink?.end()
          continue
        }
        if (!ended && visitor.enough?.()) return
        if (ended || buf.length < BLOCK) break
        const h = buf.subarray(0, BLOCK)
        buf = buf.subarray(BLOCK)
        if (h.every((x) => x === 0)) {
          ended = true
          continue
        }
        if (!checksumOk(h)) throw new TarFormatError('corrupt tar header (checksum mismatch): the kit is damaged')
        const flag = String.fromCharCode(h[156]!).replace('\0', '')
        const size = octal(h, 124, 12)
        const padding = (BLOCK - (size % BLOCK)) % BLOCK
        const prefix = text(h, 345, 155)
        const ustarName = prefix ? `${prefix}/${text(h, 0, 100)}` : text(h, 0, 100)
        if (flag === 'L' || flag === 'x' || flag === 'g') {
          // Metadata for the next entry (GNU long name, pax path) or for all (pax global): collected, not an entry.
          const path = flag === 'L' ? LONG_NAME : flag === 'x' ? PAX_LOCAL : PAX_GLOBAL
          pending = { entry: { path, type: 'other', size, mode: 0, linkTarget: '' }, remaining: size, padding, sink: undefined, meta: [] }
          continue
        }
        const entry: TarEntry = {
          path: longName ?? paxName ?? ustarName,
          type: typeOf(flag),
          size,
          mode: octal(h, 100, 8),
          linkTarget: text(h, 157, 100),
        }
        longName = undefined
        paxName = undefined
        pending = { entry, remaining: size, padding, sink: visitor.entry(entry) }
      }
    }
  } catch (err) {
    if (err instanceof TarFormatError) throw err
    throw new TarFormatError(`not a readable .tar.gz: ${(err as Error).message}`)
  } finally {
    // pipe() does not pass the end of the gunzip stream back: a walk ended early must close the file.
    source.destroy()
  }
  if (pending || !ended) throw new TarFormatError('the kit is truncated (the archive ends early): download or copy it again')
}
