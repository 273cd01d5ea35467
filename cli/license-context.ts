// Opens the database and the license manager for a license command, and closes them after.
import { closeSync, existsSync, openSync, readSync } from 'node:fs'
import type { TokenKind } from '../license-keys/claims.ts'
import { formatBytes, MAX_TEXT_BYTES } from '../license-keys/limits.ts'
import type { DataLayer } from '../server/db/engine.ts'
import { createLicenseManager } from '../server/license/create.ts'
import type { LicenseManager } from '../server/license/manager.ts'
import { configFrom, type ConfigFlags } from './config-options.ts'
import { openDataLayer } from './data-layer.ts'
import { CliError } from './errors.ts'

/** What a license command works with; services/license.ts's installLicense takes it as is. */
export interface LicenseContext {
  dataLayer: DataLayer
  /** Already evaluated (refresh() has run). */
  license: LicenseManager
}

/** withLicense runs `run` on the configured database (cli/data-layer.ts) and closes it after. */
export async function withLicense<T>(flags: ConfigFlags, run: (context: LicenseContext) => Promise<T>): Promise<T> {
  const config = configFrom(flags)
  const { dataLayer, close } = await openDataLayer(config)
  try {
    const license = createLicenseManager(dataLayer, config.license)
    await license.refresh()
    return await run({ dataLayer, license })
  } finally {
    await close()
  }
}

/**
 * readTokenArg takes a token as given on the command line: its text (bare, armored, or pasted from a
 * mail), `-` for stdin, or a file. Reads at most MAX_TEXT_BYTES of `kind`, so that a huge file is
 * refused without filling memory. Throws CliError for a missing, unreadable or too large file.
 */
export async function readTokenArg(arg: string, kind: TokenKind): Promise<string> {
  const limit = MAX_TEXT_BYTES[kind]
  const tooLarge = (what: string) =>
    new CliError(`${what} is larger than ${formatBytes(limit)}, more than a key with a whole e-mail around it: give the file or text holding just the key`)
  if (arg === '-') {
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of process.stdin) {
      size += (chunk as Buffer).length
      if (size > limit) throw tooLarge('standard input')
      chunks.push(chunk as Buffer)
    }
    return Buffer.concat(chunks).toString('utf8')
  }
  // Text given directly: a token, or an armored block or letter pasted as one argument.
  if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(arg.trim()) || /-----BEGIN VECHE |\n/.test(arg)) return arg
  if (!existsSync(arg)) throw new CliError(`${arg} is neither a key nor a file that exists`)
  let fd: number
  try {
    fd = openSync(arg, 'r')
  } catch (err) {
    throw new CliError(`cannot read ${arg}: ${(err as Error).message}`)
  }
  try {
    // One byte more than allowed tells "too large" without reading the rest.
    const buffer = Buffer.alloc(limit + 1)
    let size = 0
    for (let n; size < buffer.length && (n = readSync(fd, buffer, size, buffer.length - size, null)) > 0; ) size += n
    if (size > limit) throw tooLarge(arg)
    return buffer.subarray(0, size).toString('utf8')
  } catch (err) {
    if (err instanceof CliError) throw err
    throw new CliError(`cannot read ${arg}: ${(err as Error).message}`)
  } finally {
    closeSync(fd)
  }
}
