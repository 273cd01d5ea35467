import type { Command } from 'commander'
import { MAX_TEXT_BYTES } from '../../limits.ts'
import { verifyToken } from '../../verify.ts'
import { isoDay, nowSeconds } from '../dates.ts'
import { VendorError } from '../errors.ts'
import { readBoundedFile, vendorKeyring, withDbOption, withStore, withTestKeysOption } from './options.ts'

export function registerLicenseRecord(license: Command): void {
  withTestKeysOption(
    withDbOption(
      license
        .command('record')
        .description('record a license key issued with another vendor database, so it can be certified, counted and revoked here')
        .argument('<key-file>', 'the license key as the customer holds it'),
    ),
  ).action(async (keyFile: string, flags: { db: string; allowTestKeys?: boolean }) => {
    const text = readBoundedFile(keyFile, MAX_TEXT_BYTES.license)
    if (text === undefined) throw new VendorError('file_error', `${keyFile} is larger than any license key file: give the key file itself`)
    const claims = await verifyToken('license', text, vendorKeyring(flags))
    await withStore(flags.db, (store) => {
      const known = store.licenses.get(claims.sub)
      if (known) {
        process.stdout.write(`license ${claims.sub} (${known.licensee}) is already recorded in ${flags.db} (issued ${isoDay(known.issuedAt)}); nothing changed\n`)
        return
      }
      store.licenses.recordSeen(claims, nowSeconds())
      process.stdout.write(`recorded ${claims.sub} (${claims.licensee.name}, ${claims.plan}, ${claims.activations} activation(s)) in ${flags.db}\n`)
    })
  })
}
