// Opens the database and the license manager for a license command, and closes them after.
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { openDatabase } from '../server/db/database.ts'
import { createLicenseManager } from '../server/license/create.ts'
import type { LicenseManager } from '../server/license/manager.ts'
import { configFrom, type ConfigFlags } from './config-options.ts'
import { CliError } from './errors.ts'

export async function withLicense<T>(flags: ConfigFlags, run: (manager: LicenseManager) => Promise<T>): Promise<T> {
  const config = configFrom(flags)
  const db = openDatabase(join(resolve(config.data.dir), 'veche.db'))
  try {
    const manager = createLicenseManager(db, config.license)
    await manager.refresh()
    return await run(manager)
  } finally {
    db.close()
  }
}

/** readTokenArg takes a key as given on the command line: the token text, `-` for stdin, or a file. */
export async function readTokenArg(arg: string): Promise<string> {
  if (arg === '-') {
    let text = ''
    for await (const chunk of process.stdin) text += String(chunk)
    return text
  }
  if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(arg.trim())) return arg
  if (!existsSync(arg)) throw new CliError(`${arg} is neither a key nor a file that exists`)
  try {
    return readFileSync(arg, 'utf8')
  } catch (err) {
    throw new CliError(`cannot read ${arg}: ${(err as Error).message}`)
  }
}
