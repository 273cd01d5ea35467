// What several veche-vendor commands share: the vendor database option, number and date parsing,
// the keyring, and writing a token to a file or standard output.
import { InvalidArgumentError, type Command } from 'commander'
import { closeSync, existsSync, openSync, readSync, writeSync } from 'node:fs'
import { resolve } from 'node:path'
import { loadKeyring, type Keyring } from '../../keyring.ts'
import { createVendorStore, openVendorDatabase, type VendorStore } from '../activation-service/db.ts'
import { VendorError } from '../errors.ts'

export const DEFAULT_DB = './vendor.db'

export function withDbOption(command: Command): Command {
  return command.option('--db <file>', 'the vendor database (licenses issued, revocations, activations)', DEFAULT_DB)
}

export function withTestKeysOption(command: Command): Command {
  return command.option('--allow-test-keys', 'trust the test keys of trusted-keys.json (development and tests only: their private halves are public)')
}

/** parseWhole is a commander argument parser for counts. */
export function parseWhole(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number')
  return Number(value)
}

export const collect = (value: string, previous: string[]): string[] => [...previous, value]

/** vendorKeyring returns the keys this checkout trusts, test keys only when asked. */
export function vendorKeyring(flags: { allowTestKeys?: boolean }): Keyring {
  return loadKeyring({ allowTestKeys: Boolean(flags.allowTestKeys) })
}

/** withStore opens the vendor database, runs fn with it and closes it. */
export async function withStore<T>(file: string, fn: (store: VendorStore) => T | Promise<T>): Promise<T> {
  const db = openVendorDatabase(resolve(file))
  try {
    return await fn(createVendorStore(db))
  } finally {
    db.close()
  }
}

/**
 * readBoundedFile returns the text of `file` when it is at most `limit` bytes, or undefined when it is
 * larger, without reading the rest. Throws VendorError file_error when it cannot be read.
 */
export function readBoundedFile(file: string, limit: number): string | undefined {
  let fd: number
  try {
    fd = openSync(file, 'r')
  } catch (err) {
    throw new VendorError('file_error', `cannot read ${file}: ${(err as Error).message}`)
  }
  try {
    // One byte more than allowed tells "too large" apart from "exactly the limit".
    const buffer = Buffer.alloc(limit + 1)
    let size = 0
    for (let n; size < buffer.length && (n = readSync(fd, buffer, size, buffer.length - size, null)) > 0; ) size += n
    return size > limit ? undefined : buffer.subarray(0, size).toString('utf8')
  } catch (err) {
    throw new VendorError('file_error', `cannot read ${file}: ${(err as Error).message}`)
  } finally {
    closeSync(fd)
  }
}

/** checkOutput fails early when `file` exists, before anything is signed or recorded. */
export function checkOutput(file: string | undefined): void {
  if (file && existsSync(file)) throw new VendorError('file_error', `${file} already exists: choose another --out`)
}

/**
 * output writes `text` to `file`, created exclusively so an earlier token is never lost, or to standard
 * output without a file, ending it with one newline. Throws VendorError file_error if the file exists
 * or cannot be created.
 */
export function output(text: string, file: string | undefined): void {
  text = text.replace(/\n$/, '')
  if (!file) {
    process.stdout.write(`${text}\n`)
    return
  }
  let fd: number
  try {
    fd = openSync(file, 'wx', 0o644)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new VendorError('file_error', `${file} already exists: choose another --out`)
    throw new VendorError('file_error', `cannot create ${file}: ${(err as Error).message}`)
  }
  try {
    writeSync(fd, `${text}\n`)
  } finally {
    closeSync(fd)
  }
}
