// Writes database.url into the operator's config file, keeping every other line and comment: the
// last step of a migration, taken only when the copy matched. Replaces the file atomically.
import { chownSync, closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs'
import { isMap, parseDocument } from 'yaml'
import { loadConfig } from '../../config/load.ts'
import { CliError } from '../errors.ts'

/** configWithUrl returns the YAML text with database.url set, comments and layout kept. */
export function configWithUrl(text: string, url: string): string {
  const doc = parseDocument(text)
  if (doc.errors.length) throw new CliError(`the config file is not valid YAML: ${doc.errors[0]!.message}`)
  const section = doc.get('database', true)
  if (isMap(section)) section.set('url', url)
  // No section, or `database:` with nothing under it.
  else doc.set('database', doc.createNode({ url }))
  // lineWidth 0: never fold a long value onto a second line; no padding: `[a, b]` stays as written.
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false })
}

/**
 * writeDatabaseUrl sets database.url in `file` (same mode and owner, replaced by rename so a crash
 * leaves the old file or the new one) and checks the result loads with that URL. Throws CliError.
 */
export function writeDatabaseUrl(file: string, url: string): void {
  const before = statSync(file)
  const text = configWithUrl(readFileSync(file, 'utf8'), url)
  const partial = `${file}.${process.pid}.writing`
  try {
    const fd = openSync(partial, 'wx', before.mode & 0o7777)
    try {
      writeSync(fd, text)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    if (process.getuid?.() === 0) chownSync(partial, before.uid, before.gid)
    const written = loadConfig({ file: partial })
    if (written.database.url !== url) throw new Error(`it reads back database.url ${JSON.stringify(written.database.url)}`)
    renameSync(partial, file)
  } catch (err) {
    rmSync(partial, { force: true })
    throw new CliError(`could not write database.url into ${file}: ${(err as Error).message}; set it there yourself: database.url: ${url}`)
  }
}
