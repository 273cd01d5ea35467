// Password hashing with scrypt: per-user salt, parameters stored beside the hash so they can grow.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto'

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) =>
    scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
  )

const N = 16384
const R = 8
const P = 1
const KEY_LENGTH = 32
export const MIN_PASSWORD_LENGTH = 8

/** weakPassword: shorter than MIN_PASSWORD_LENGTH characters (code points, so Cyrillic counts as one each). */
export const weakPassword = (password: string): boolean => [...password].length < MIN_PASSWORD_LENGTH
export const WEAK_PASSWORD_MESSAGE = `a password needs at least ${MIN_PASSWORD_LENGTH} characters`

/** hashPassword returns `scrypt$N$r$p$salt$key` (base64url parts). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await scrypt(password, salt, KEY_LENGTH, { N, r: R, p: P })
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$')
}

/** verifyPassword compares in constant time; a malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number]
  const salt = Buffer.from(parts[4]!, 'base64url')
  const expected = Buffer.from(parts[5]!, 'base64url')
  if (!Number.isInteger(n) || !Number.isInteger(r) || !Number.isInteger(p) || expected.length === 0) return false
  const key = await scrypt(password, salt, expected.length, { N: n, r, p, maxmem: 256 * n * r })
  return timingSafeEqual(key, expected)
}

/** A hash no password matches, so unknown e-mails take as long to refuse as wrong passwords. */
export const DUMMY_HASH = `scrypt$${N}$${R}$${P}$AAAAAAAAAAAAAAAAAAAAAA$${'A'.repeat(43)}`
