// Writes small .tar.gz files entry by entry, for tests that need kits no honest tool would make
// (paths with '..', symlinks out of the kit).
import { gzipSync } from 'node:zlib'

export interface RawEntry {
  path: string
  type?: 'file' | 'directory' | 'symlink'
  data?: Buffer
  linkTarget?: string
  mode?: number
}

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
  put(e.type === 'directory' ? '5' : e.type === 'symlink' ? '2' : '0', 156, 1)
  if (e.linkTarget) put(e.linkTarget, 157, 100)
  put('ustar\u000000', 257, 8)
  let sum = 0
  for (const b of h) sum += b
  put(sum.toString(8).padStart(6, '0') + '\u0000 ', 148, 8)
  return h
}

export function tarGz(entries: RawEntry[]): Buffer {
  const parts: Buffer[] = []
  for (const e of entries) {
    const data = e.type === 'file' || e.type === undefined ? (e.data ?? Buffer.alloc(0)) : Buffer.alloc(0)
    parts.push(header(e, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512))
  }
  parts.push(Buffer.alloc(1024))
  return gzipSync(Buffer.concat(parts))
}
