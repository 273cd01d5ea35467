import type { Command } from 'commander'
import { armor } from '../../armor.ts'
import type { LicenseId } from '../../claims.ts'
import { endOfDay, isoDay, nowSeconds } from '../dates.ts'
import { VendorError } from '../errors.ts'
import { issueUpdatePackage } from '../issue.ts'
import { loadSigningKey } from '../signing-keys.ts'
import { checkOutput, output, withDbOption, withStore } from './options.ts'

export function registerLicenseIssueUpdatePackage(license: Command): void {
  withDbOption(license.command('issue-update-package').description("issue an update-package license extending a license's updates"))
    .requiredOption('--key <file>', 'the license signing key file')
    .requiredOption('--license <id>', 'the license to extend (lic_...)')
    .requiredOption('--updates-until <YYYY-MM-DD>', 'last day whose releases the license may install (UTC)')
    .option('--out <file>', 'write the key to this file instead of standard output')
    .action(async (flags: { db: string; key: string; license: string; updatesUntil: string; out?: string }) => {
      const key = loadSigningKey(flags.key, 'license')
      checkOutput(flags.out)
      const updatesUntil = endOfDay(flags.updatesUntil, '--updates-until') - 1
      await withStore(flags.db, async (store) => {
        const known = store.licenses.get(flags.license)
        // An update package for a mistyped id would be useless to the customer.
        if (!known) throw new VendorError('unknown_license', `license ${flags.license} is not in ${flags.db}: check the id, or pass the database that issued it with --db`)
        if (known.revokedAt !== undefined) {
          throw new VendorError('unknown_license', `license ${known.id} was revoked on ${isoDay(known.revokedAt)}: no update package for it`)
        }
        const { token, claims } = await issueUpdatePackage({ licenseId: known.id as LicenseId, updatesUntil }, key, { now: nowSeconds() })
        store.updatePackages.record(claims)
        output(armor('updatePackage', token), flags.out)
        process.stderr.write(`issued update package ${claims.jti} for ${known.id} (${known.licensee}): updates through ${isoDay(updatesUntil)}\n`)
      })
    })
}
