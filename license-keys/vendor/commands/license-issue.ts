import { Option, type Command } from 'commander'
import type { Feature } from '../../claims.ts'
import { endOfDay, isoDay, nowSeconds } from '../dates.ts'
import { issueLicense } from '../issue.ts'
import { loadSigningKey } from '../signing-keys.ts'
import { checkOutput, collect, output, parseWhole, withDbOption, withStore } from './options.ts'

interface Flags {
  db: string
  key: string
  licensee: string
  taxId?: string
  plan: string
  rooms: number
  participants: number
  users: number
  feature: string[]
  term: 'perpetual' | 'subscription'
  until?: string
  updatesUntil?: string
  activations?: number
  out?: string
}

export function registerLicenseIssue(license: Command): void {
  withDbOption(license.command('issue').description('issue a license key; record it in the vendor database'))
    .requiredOption('--key <file>', 'the license signing key file')
    .requiredOption('--licensee <name>', 'the customer, as on the contract')
    .option('--tax-id <id>', "the customer's tax id")
    .requiredOption('--plan <name>', 'plan name shown to the customer')
    .requiredOption('--rooms <n>', 'rooms at the same time', parseWhole)
    .requiredOption('--participants <n>', 'participants per room', parseWhole)
    .requiredOption('--users <n>', 'internal users', parseWhole)
    .option('--feature <feature>', 'an extra feature: recording, streaming, sso, sip (repeatable)', collect, [])
    .addOption(new Option('--term <term>', 'perpetual or subscription').choices(['perpetual', 'subscription']).makeOptionMandatory())
    .option('--until <YYYY-MM-DD>', 'last day of a subscription (UTC)')
    .option('--updates-until <YYYY-MM-DD>', 'last day whose releases the key may install (default: 12 months, or the subscription end)')
    .option('--activations <n>', 'machines that may activate it (default 1)', parseWhole)
    .option('--out <file>', 'write the key to this file instead of standard output')
    .action(async (flags: Flags) => {
      const key = loadSigningKey(flags.key, 'license')
      checkOutput(flags.out)
      const now = nowSeconds()
      const { token, claims } = await issueLicense(
        {
          licensee: { name: flags.licensee, taxId: flags.taxId },
          plan: flags.plan,
          limits: { rooms: flags.rooms, participantsPerRoom: flags.participants, internalUsers: flags.users },
          features: flags.feature as Feature[], // issueLicense refuses unknown names.
          term: flags.term,
          termEnd: flags.until === undefined ? undefined : endOfDay(flags.until, '--until'),
          updatesUntil: flags.updatesUntil === undefined ? undefined : endOfDay(flags.updatesUntil, '--updates-until') - 1,
          activations: flags.activations,
        },
        key,
        { now },
      )
      await withStore(flags.db, (store) => store.licenses.recordIssued(claims, now))
      output(token, flags.out)
      const ends = claims.termEnd === undefined ? 'perpetual' : `subscription through ${isoDay(claims.termEnd - 1)}`
      process.stderr.write(
        `issued ${claims.sub} to ${claims.licensee.name}: ${claims.plan}, ${ends}, updates through ${isoDay(claims.updatesUntil)}, ` +
          `${claims.activations} activation(s)${flags.out ? `; written to ${flags.out}` : ''}\n`,
      )
    })
}
