// Builds the LicenseManager the same way for the server and the CLI.
import type { Config } from '../../config/schema.ts'
import { readFingerprint } from '../../license-keys/fingerprint.ts'
import { loadKeyring, type Keyring } from '../../license-keys/keyring.ts'
import type { DataLayer } from '../db/engine.ts'
import { createLicenseRepository } from '../db/license-repository.ts'
import { releaseInfo, VERSION } from '../version.ts'
import { LicenseManager } from './manager.ts'

export interface LicenseOverrides {
  keyring?: Keyring
  /** A folder laid out like / to read the machine fingerprint from (tests). */
  fingerprintRoot?: string
  clock?: () => number
}

/** The vendor's test keys are trusted only in a development checkout (or a kit built for tests). */
export const defaultKeyring = (): Keyring => loadKeyring({ allowTestKeys: releaseInfo()?.allowTestKeys ?? true })

export function createLicenseManager(layer: DataLayer, config: Config['license'], overrides: LicenseOverrides = {}): LicenseManager {
  const root = overrides.fingerprintRoot
  return new LicenseManager({
    repo: createLicenseRepository(layer),
    keyring: overrides.keyring ?? defaultKeyring(),
    readFingerprint: () => readFingerprint(root ? { root } : {}),
    activationUrl: config.activationUrl,
    version: VERSION,
    ...(overrides.clock ? { clock: overrides.clock } : {}),
  })
}
