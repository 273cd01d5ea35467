// Writes small .tar.gz files entry by entry, for tests that need archives no honest tool would make
// (paths with '..', symlinks out of the kit, pipes, entries hidden inside a folder entry's "content").
import { gzipSync } from 'node:zlib'

export interface RawEntry {
  path: string
  type?: 'file' | 'directory' | 'symlink' | 'fifo'
  data?: Buffer
  linkTarget?: string
  mode?: number
  /**
   * For a folder: entries placed right after its header and counted as its content (its size field),
   * which a reader honouring that size skips and GNU tar reads as ordinary entries.
   */
  hidden?: RawEntry[]
  /** A size field other than the data's length (a header that lies). */
  declaredSize?: number
}

const TYPE_FLAG = { file: '0', directory: '5', symlink: '2', fifo: '6' } as const

function header(e: RawEntry, size: number): Buffer {
  const h = Buffer.alloc(512)
  const put = (text: string, at: number, len: number) => h.write(text, at, len, 'utf8')
  const oct = (n: number, at: number, len: number) => put(n.toString(8).padStart(len - 1, '0'), at, len - 1)
  if (Buffer.byteLength(e.path) > 100) throw new Error(`test tar writer: path too long: ${e.path}`)
  put(e.path, 0, 100)
  oct(e.mode ?? (e.type === 'directory' ? 0o755 : 0o644), 100, 8)
  oct(0, 108, 8)
  oct(0, 116, 8)
  oct(size, 124, 12)
  oct(0, 136, 12)
  h.fill(' ', 148, 156)
  put(TYPE_FLAG[e.type ?? 'file'], 156, 1)
  if (e.linkTarget) put(e.linkTarget, 157, 100)
  put('ustar\u000000', 257, 8)
  let sum = 0
  for (const b of h) sum += b
  put(sum.toString(8).padStart(6, '0') + '\u0000 ', 148, 8)
  return h
}

const pad = (n: number): Buffer => Buffer.alloc((512 - (n % 512)) % 512)

/** tarBlocks returns the entries as tar blocks, without the end-of-archive marker. */
export function tarBlocks(entries: RawEntry[]): Buffer {
  const parts: Buffer[] = []
  for (const e of entries) {
    const type = e.type ?? 'file'
    const body = type === 'file' ? (e.data ?? Buffer.alloc(0)) : e.hidden ? tarBlocks(e.hidden) : Buffer.alloc(0)
    parts.push(header(e, e.declaredSize ?? body.length), body, pad(body.length))
  }
  return Buffer.concat(parts)
}

export function tarGz(entries: RawEntry[]): Buffer {
  return gzipSync(Buffer.concat([tarBlocks(entries), Buffer.alloc(1024)]))
}
