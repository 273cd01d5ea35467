// Free space where recordings are written, as the recorder's disk guard sees it.
import { statfs } from 'node:fs/promises'

/** freeBytes returns the bytes an unprivileged writer may still use on `dir`'s filesystem. */
export async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir)
  return s.bavail * s.bsize
}
