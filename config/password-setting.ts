// Owns how a password setting is read: the value written in the config, else the first line of the
// file another setting names (e.g. a file only the service user may read). database.* and cluster.*
// both follow it.
import { readFileSync } from 'node:fs'
import { ConfigError } from './load.ts'

/**
 * passwordSetting returns `value`, else the first line of `file`; undefined when both are empty.
 * Throws what `fail` makes (a ConfigError unless given) naming `fileKey` when the file cannot be read.
 */
export function passwordSetting(
  value: string,
  file: string,
  fileKey: string,
  fail: (message: string) => Error = (message) => new ConfigError(message),
): string | undefined {
  if (value !== '') return value
  if (file === '') return undefined
  try {
    return readFileSync(file, 'utf8').split('\n')[0]
  } catch (err) {
    throw fail(`cannot read ${fileKey} ${file}: ${(err as Error).message}`)
  }
}
