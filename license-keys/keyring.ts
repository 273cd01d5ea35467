// The vendor public keys this release trusts, by key id. Keys rotate: a new key id is added with a
// release; an old one is marked retired, and what it signed is refused with a message saying so.
import { createPublicKey, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { TrustedKey } from './claims.ts'

export interface Keyring {
  /** get returns the trusted key `kid` with its public key, or undefined if unknown here. */
  get(kid: string): (TrustedKey & { publicKey: KeyObject }) | undefined
}

export const SHIPPED_KEYS_FILE = new URL('./trusted-keys.json', import.meta.url)

export interface KeyringOptions {
  /** Test keys are trusted only in a development checkout, never in a release kit. */
  allowTestKeys: boolean
}

export function createKeyring(keys: TrustedKey[], { allowTestKeys }: KeyringOptions): Keyring {
  const byKid = new Map<string, TrustedKey & { publicKey: KeyObject }>()
  for (const key of keys) {
    if (key.status === 'test' && !allowTestKeys) continue
    byKid.set(key.kid, { ...key, publicKey: createPublicKey({ key: key.jwk, format: 'jwk' }) })
  }
  return { get: (kid) => byKid.get(kid) }
}

/** loadKeyring reads the key set shipped with this release. */
export function loadKeyring(options: KeyringOptions, file: URL | string = SHIPPED_KEYS_FILE): Keyring {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { keys: TrustedKey[] }
  return createKeyring(parsed.keys, options)
}
