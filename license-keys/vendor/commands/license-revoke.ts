import type { Command } from 'commander'
import type { LicenseId } from '../../claims.ts'
import { isoDay, nowSeconds } from '../dates.ts'
import { VendorError } from '../errors.ts'
import { withDbOption, withStore } from './options.ts'

export function registerLicenseRevoke(license: Command): void {
  withDbOption(license.command('revoke').description('refuse every further activation of a license').argument('<licenseId>', 'lic_...'))
    .action(async (licenseId: string, flags: { db: string }) => {
      if (!/^lic_[A-Za-z0-9_-]{8,64}$/.test(licenseId)) {
        throw new VendorError('unknown_license', `'${licenseId}' is not a license id: they look like lic_ followed by letters and digits`)
      }
      await withStore(flags.db, (store) => {
        const known = store.licenses.get(licenseId)
        const before = store.licenses.revokedAt(licenseId)
        const at = store.licenses.revoke(licenseId as LicenseId, nowSeconds())
        const who = known ? ` (${known.licensee})` : ` (not issued or seen through ${flags.db}; revoked anyway)`
        process.stdout.write(
          before !== undefined
            ? `license ${licenseId}${who} was already revoked on ${isoDay(at)}\n`
            : `license ${licenseId}${who} revoked: the activation service refuses it from now on; machines already activated keep their certificates\n`,
        )
      })
    })
}
