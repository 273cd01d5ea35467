// Owns the vendor's private signing keys: creating them (one file each, never overwritten, readable by
// the vendor only) and loading them for the operation they are meant for.
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto'
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import type { KeyPurpose, TrustedKey } from '../claims.ts'
import { VendorError } from './errors.ts'

export const PURPOSES: readonly KeyPurpose[] = ['license', 'activation', 'release']

/** What a private key file holds: `{ kid, purpose, jwk }`, jwk an Ed25519 private JWK. */
export interface PrivateKeyFile {
  kid: string
  purpose: KeyPurpose
  jwk: { kty: 'OKP'; crv: 'Ed25519'; x: string; d: string }
}

/** A loaded signing key, ready for issue.ts. */
export interface SigningKey {
  kid: string
  purpose: KeyPurpose
  privateKey: KeyObject
  /** The entry the appliance's trusted-keys.json needs for this key. */
  trusted: TrustedKey
}

/** Key ids appear in token headers and file names: short, lower-case, no path characters. */
const KID = /^[a-z0-9][a-z0-9-]{2,63}$/

/** newKid names a key by purpose and month, plus randomness so two keys made the same month differ. */
export function newKid(purpose: KeyPurpose, now = new Date()): string {
  const month = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`
  return `${purpose}-${month}-${randomBytes(3).toString('hex')}`
}

export const keyFileName = (kid: string): string => `${kid}.private.jwk.json`

export interface CreateKeyOptions {
  /** Defaults to newKid(purpose). */
  kid?: string
}

/**
 * createSigningKey makes a new Ed25519 key, writes it to `<dir>/<kid>.private.jwk.json` (mode 0600,
 * created exclusively) and returns the file and the public TrustedKey entry (status 'active').
 * Throws VendorError key_exists rather than replace a key: tokens it signed would become unverifiable.
 */
export function createSigningKey(purpose: KeyPurpose, dir: string, options: CreateKeyOptions = {}): { file: string; trusted: TrustedKey } {
  if (!PURPOSES.includes(purpose)) {
    throw new VendorError('key_purpose', `unknown key purpose '${String(purpose)}': use one of ${PURPOSES.join(', ')}`)
  }
  const kid = options.kid ?? newKid(purpose)
  if (!KID.test(kid)) {
    throw new VendorError('bad_kid', `key id '${kid}' is not allowed: use 3-64 lower-case letters, digits and dashes`)
  }
  const { privateKey } = generateKeyPairSync('ed25519')
  const jwk = privateKey.export({ format: 'jwk' }) as PrivateKeyFile['jwk']
  const content: PrivateKeyFile = { kid, purpose, jwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x, d: jwk.d } }

  const file = join(dir, keyFileName(kid))
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
  } catch (err) {
    throw new VendorError('file_error', `cannot create the folder ${dir}: ${(err as Error).message}`)
  }
  let fd: number
  try {
    // 'wx' is O_CREAT | O_EXCL: fails if the file exists, and no other process can slip one in first.
    fd = openSync(file, 'wx', 0o600)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new VendorError('key_exists', `${file} already exists; a signing key is never overwritten: choose another --kid or --dir`)
    }
    throw new VendorError('file_error', `cannot create ${file}: ${(err as Error).message}`)
  }
  try {
    writeSync(fd, `${JSON.stringify(content, null, 2)}\n`)
  } finally {
    closeSync(fd)
  }
  return { file, trusted: trustedKeyOf(content, 'active') }
}

function trustedKeyOf(content: PrivateKeyFile, status: TrustedKey['status']): TrustedKey {
  return { kid: content.kid, purpose: content.purpose, status, jwk: { kty: 'OKP', crv: 'Ed25519', x: content.jwk.x } }
}

/** withArticle puts "a" or "an" before a key purpose: "an activation", "a license". */
export const withArticle = (word: string): string => `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0

/**
 * loadSigningKey reads a private key file and checks it may sign tokens of `purpose`.
 * Throws VendorError key_missing, key_format or key_purpose, each naming the file.
 */
export function loadSigningKey(file: string, purpose: KeyPurpose): SigningKey {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new VendorError('key_missing', `signing key file ${file} does not exist: create one with \`veche-vendor keys create --purpose ${purpose} --dir <dir>\``)
    }
    throw new VendorError('key_missing', `cannot read signing key file ${file}: ${(err as Error).message}`)
  }
  const notAKey = (why: string) =>
    new VendorError('key_format', `${file} is not a Veche signing key file (${why}): expected { kid, purpose, jwk } as written by \`veche-vendor keys create\``)
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw notAKey('not JSON')
  }
  const p = parsed as Partial<Record<keyof PrivateKeyFile, unknown>> | null
  const jwk = (p?.jwk ?? {}) as Record<string, unknown>
  if (!isString(p?.kid) || !PURPOSES.includes(p.purpose as KeyPurpose)) throw notAKey('no kid or purpose')
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || !isString(jwk.x)) throw notAKey('not an Ed25519 JWK')
  if (!isString(jwk.d)) throw notAKey('it holds a public key only')
  const content: PrivateKeyFile = { kid: p.kid, purpose: p.purpose as KeyPurpose, jwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x, d: jwk.d } }
  if (content.purpose !== purpose) {
    throw new VendorError(
      'key_purpose',
      `${file} is ${withArticle(content.purpose)} signing key (${content.kid}); this needs ${withArticle(purpose)} signing key: pass the ${purpose} key file`,
    )
  }
  let privateKey: KeyObject
  try {
    privateKey = createPrivateKey({ key: content.jwk, format: 'jwk' })
  } catch {
    throw notAKey('the JWK does not decode')
  }
  // A file whose x does not belong to its d would sign tokens the published public key rejects.
  const x = (createPublicKey(privateKey).export({ format: 'jwk' }) as { x: string }).x
  if (x !== content.jwk.x) throw notAKey('its public part x does not match its private part d')
  return { kid: content.kid, purpose: content.purpose, privateKey, trusted: trustedKeyOf(content, 'active') }
}
