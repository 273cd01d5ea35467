// Installing a license: the one business transaction the License page and the CLI's `veche
// activate` / `veche license install*` share. Checks first, then one database transaction.
import { LicenseError } from '../../license-keys/errors.ts'
import { inTransaction, type DataLayer } from '../db/engine.ts'
import { createLicenseRepository, type LicenseRepository } from '../db/license-repository.ts'
import type { LicenseState } from '../license/evaluate.ts'
import type { LicenseChange, LicenseManager, VerifiedChange } from '../license/manager.ts'

export type { LicenseChange }

export interface LicenseServiceDeps {
  dataLayer: DataLayer
  /** The app's (or the CLI's) manager: it verifies, and its state is refreshed after a change. */
  license: Pick<LicenseManager, 'verify' | 'refresh'>
}

/**
 * installLicense verifies `change` (for `activate`, with the vendor's online handshake), stores it in
 * one transaction and returns the license as evaluated after. The checks run before the
 * transaction, so no lock is held across the network or the signature checks; inside it, what the
 * change was checked against (the pending offline request, the activated license) is read again,
 * so a concurrent install cannot slip between. Throws LicenseError naming the fix; nothing is stored then.
 */
export async function installLicense({ dataLayer, license }: LicenseServiceDeps, change: LicenseChange): Promise<LicenseState> {
  const verified = await license.verify(change)
  await inTransaction(dataLayer, (tx) => store(createLicenseRepository(tx), verified))
  return license.refresh()
}

async function store(repo: LicenseRepository, change: VerifiedChange): Promise<void> {
  if (change.kind === 'activation') {
    if (change.pendingNonce !== undefined && (await repo.pending({ forUpdate: true }))?.nonce !== change.pendingNonce) {
      throw new LicenseError('nonce_mismatch', 'another offline activation was started while this certificate was checked: finish that one, or start again with `veche activate <key> --offline`')
    }
    await repo.saveActivated(change.license)
    return
  }
  const stored = await repo.get({ forUpdate: true })
  if (stored?.licenseId !== change.licenseId) {
    throw new LicenseError('wrong_license', `the activated license changed to ${stored?.licenseId ?? 'none'} while this was checked: install it again`)
  }
  if (change.kind === 'renewedKey') await repo.replaceKey(change.licenseKey)
  else await repo.saveUpdatePackage(change.updatePackage)
}
