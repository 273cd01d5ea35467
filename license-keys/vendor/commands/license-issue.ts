import { Option, type Command } from 'commander'
import { armor } from '../../armor.ts'
import type { Feature } from '../../claims.ts'
import { endOfDay, isoDay, nowSeconds } from '../dates.ts'
import { VendorError } from '../errors.ts'
import { checkFirstEvaluation, EVALUATION_DAYS, EVALUATION_LIMITS, evaluationSpec } from '../evaluation.ts'
import { issueLicense, type LicenseSpec } from '../issue.ts'
import { loadSigningKey } from '../signing-keys.ts'
import { checkOutput, collect, output, parseWhole, withDbOption, withStore } from './options.ts'

interface Flags {
  db: string
  key: string
  licensee: string
  taxId?: string
  plan?: string
  rooms?: number
  participants?: number
  users?: number
  feature: string[]
  term?: 'perpetual' | 'subscription'
  until?: string
  updatesUntil?: string
  activations?: number
  out?: string
  evaluation?: boolean
  days?: number
  force?: boolean
}

/** saleSpec is the spec of a sold key: every term spelled out, as on the contract. */
function saleSpec(flags: Flags): LicenseSpec {
  const missing = (['plan', 'rooms', 'participants', 'users', 'term'] as const).filter((f) => flags[f] === undefined)
  if (missing.length) {
    throw new VendorError('bad_spec', `a sold key needs ${missing.map((f) => `--${f}`).join(', ')} (or use --evaluation for a trial key)`)
  }
  return {
    licensee: { name: flags.licensee, taxId: flags.taxId },
    plan: flags.plan!,
    limits: { rooms: flags.rooms!, participantsPerRoom: flags.participants!, internalUsers: flags.users! },
    features: flags.feature as Feature[], // issueLicense refuses unknown names.
    term: flags.term!,
    termEnd: flags.until === undefined ? undefined : endOfDay(flags.until, '--until'),
    updatesUntil: flags.updatesUntil === undefined ? undefined : endOfDay(flags.updatesUntil, '--updates-until') - 1,
    activations: flags.activations,
  }
}

function evaluationFlags(flags: Flags, now: number): LicenseSpec {
  const own = { plan: '--plan', term: '--term', until: '--until', updatesUntil: '--updates-until' } as const
  const clashing = (Object.keys(own) as (keyof typeof own)[]).filter((f) => flags[f] !== undefined).map((f) => own[f])
  if (clashing.length) throw new VendorError('bad_spec', `--evaluation sets the plan and the end itself: drop ${clashing.join(', ')} (the length is --days)`)
  return {
    ...evaluationSpec(
      {
        licensee: { name: flags.licensee, taxId: flags.taxId },
        days: flags.days,
        limits: {
          ...(flags.rooms === undefined ? {} : { rooms: flags.rooms }),
          ...(flags.participants === undefined ? {} : { participantsPerRoom: flags.participants }),
          ...(flags.users === undefined ? {} : { internalUsers: flags.users }),
        },
        features: flags.feature as Feature[],
      },
      now,
    ),
    activations: flags.activations,
  }
}

export function registerLicenseIssue(license: Command): void {
  withDbOption(license.command('issue').description('issue a license key; record it in the vendor database'))
    .requiredOption('--key <file>', 'the license signing key file')
    .requiredOption('--licensee <name>', 'the customer, as on the contract')
    .option('--tax-id <id>', "the customer's tax id")
    .option('--plan <name>', 'plan name shown to the customer (required unless --evaluation)')
    .option('--rooms <n>', 'rooms at the same time (required unless --evaluation)', parseWhole)
    .option('--participants <n>', 'participants per room (required unless --evaluation)', parseWhole)
    .option('--users <n>', 'internal users (required unless --evaluation)', parseWhole)
    .option('--feature <feature>', 'an extra feature: recording, streaming, sso, sip (repeatable)', collect, [])
    .addOption(new Option('--term <term>', 'perpetual or subscription (required unless --evaluation)').choices(['perpetual', 'subscription']))
    .option(
      '--evaluation',
      `a trial key: ${EVALUATION_DAYS} days, ${EVALUATION_LIMITS.rooms} rooms, ${EVALUATION_LIMITS.participantsPerRoom} participants, ` +
        `${EVALUATION_LIMITS.internalUsers} users, every feature (override with the options above); one per licensee`,
    )
    .option('--days <n>', `how long an --evaluation key runs (default ${EVALUATION_DAYS}, at most 90)`, parseWhole)
    .option('--force', 'issue --evaluation to a licensee who already had one')
    .option('--until <YYYY-MM-DD>', 'last day of a subscription (UTC)')
    .option('--updates-until <YYYY-MM-DD>', 'last day whose releases the key may install (default: 12 months, or the subscription end)')
    .option('--activations <n>', 'machines that may activate it (default 1)', parseWhole)
    .option('--out <file>', 'write the key to this file instead of standard output')
    .action(async (flags: Flags) => {
      const key = loadSigningKey(flags.key, 'license')
      checkOutput(flags.out)
      const now = nowSeconds()
      if (!flags.evaluation && (flags.days !== undefined || flags.force)) throw new VendorError('bad_spec', '--days and --force go with --evaluation')
      const spec = flags.evaluation ? evaluationFlags(flags, now) : saleSpec(flags)
      // Checked before signing, so a refused second evaluation leaves no key anywhere.
      if (flags.evaluation) await withStore(flags.db, (store) => checkFirstEvaluation(store, flags.licensee, Boolean(flags.force)))
      const { token, claims } = await issueLicense(spec, key, { now })
      await withStore(flags.db, (store) => store.licenses.recordIssued(claims, now))
      output(armor('license', token), flags.out)
      const ends =
        claims.termEnd === undefined
          ? 'perpetual'
          : `${claims.kind === 'evaluation' ? 'evaluation' : 'subscription'} through ${isoDay(claims.termEnd - 1)}`
      process.stderr.write(
        `issued ${claims.sub} to ${claims.licensee.name}: ${claims.plan}, ${ends}, updates through ${isoDay(claims.updatesUntil)}, ` +
          `${claims.activations} activation(s)${flags.out ? `; written to ${flags.out}` : ''}\n`,
      )
    })
}
