// Development mode (`veche serve --dev`): a checkout's first meeting without the vendor. Issues a
// development license with the vendor's test keys (their private halves are public, in test/fixtures/)
// and activates it for this machine through the offline path, the vendor's side run in-process.
// Imported only by `serve --dev` from a checkout: a kit has neither the test keys nor license-keys/vendor.
import { existsSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { FEATURES } from '../license-keys/claims.ts'
import { loadKeyring } from '../license-keys/keyring.ts'
import { createVendorStore, openVendorDatabase } from '../license-keys/vendor/activation-service/db.ts'
import { decideActivation } from '../license-keys/vendor/activation-service/decide.ts'
import { issueLicense } from '../license-keys/vendor/issue.ts'
import { loadSigningKey } from '../license-keys/vendor/signing-keys.ts'
import type { Config } from '../config/schema.ts'
import { createLicenseManager } from '../server/license/create.ts'
import type { LicenseState } from '../server/license/evaluate.ts'
import { installLicense } from '../server/services/license.ts'
import { openDataLayer } from './data-layer.ts'
import { CliError } from './errors.ts'

const TEST_KEYS = fileURLToPath(new URL('../test/fixtures/vendor-keys/', import.meta.url))
const YEAR = 365 * 86_400

/** What installDevLicense did, for the line `serve --dev` prints. */
export type DevLicenseOutcome = 'installed' | 'kept-development' | 'kept-other'

/**
 * installDevLicense makes sure the data folder of `config` holds an active license: when none is
 * active and no sold or evaluation license is installed, it issues and activates a development
 * license (every feature, generous limits, perpetual, `kind: development`). A non-development
 * license is never replaced. Throws CliError when the test keys are missing.
 */
export async function installDevLicense(config: Config): Promise<{ outcome: DevLicenseOutcome; state: LicenseState }> {
  const { dataLayer, close } = await openDataLayer(config)
  try {
    const manager = createLicenseManager(dataLayer, config.license)
    const current = await manager.refresh()
    const kind = current.claims?.kind
    // Anything installed that is not a development license (even one that fails here) is the owner's.
    if (current.status !== 'unlicensed' && kind !== 'development') return { outcome: 'kept-other', state: current }
    if (current.status === 'active') return { outcome: 'kept-development', state: current }
    // No license, or a development one that stopped (e.g. the data folder moved to another machine).
    const license = keyFile('test-license-1', 'license')
    const activation = keyFile('test-activation-1', 'activation')
    const now = Math.floor(Date.now() / 1000)
    const { token, claims } = await issueLicense(
      {
        licensee: { name: `Development checkout on ${hostname()}` },
        plan: 'Development',
        limits: { rooms: 100, participantsPerRoom: 100, internalUsers: 10_000 },
        features: [...FEATURES],
        term: 'perpetual',
        updatesUntil: now + 10 * YEAR,
        kind: 'development',
      },
      license,
      { now },
    )
    const request = await manager.createOfflineRequest(token)
    // The vendor's decision, word for word, against a throwaway vendor database.
    const vendorDb = openVendorDatabase(':memory:')
    try {
      const store = createVendorStore(vendorDb)
      store.licenses.recordIssued(claims, now)
      const { certificate } = await decideActivation(store, request, loadKeyring({ allowTestKeys: true }), activation, now)
      return { outcome: 'installed', state: await installLicense({ dataLayer, license: manager }, { kind: 'certificate', certificate }) }
    } finally {
      vendorDb.close()
    }
  } finally {
    await close()
  }
}

function keyFile(kid: string, purpose: 'license' | 'activation') {
  const file = join(TEST_KEYS, `${kid}.private.jwk.json`)
  if (!existsSync(file)) {
    throw new CliError(`${file} is missing: development mode signs with the test keys of a full checkout (git checkout test/fixtures)`)
  }
  return loadSigningKey(file, purpose)
}
