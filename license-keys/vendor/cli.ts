// The veche-vendor command: the vendor's signing keys, license issuing, activations and the
// activation service. One file per command under commands/. Never shipped to customers.
import { Command, CommanderError } from 'commander'
import { LicenseError } from '../errors.ts'
import { ActivationRefused } from './activation-service/decide.ts'
import { registerActivationCertify } from './commands/activation-certify.ts'
import { registerActivationList } from './commands/activation-list.ts'
import { registerActivationRelease } from './commands/activation-release.ts'
import { registerKeysCreate } from './commands/keys-create.ts'
import { registerLicenseIssueUpdatePackage } from './commands/license-issue-update-package.ts'
import { registerLicenseIssue } from './commands/license-issue.ts'
import { registerLicenseRecord } from './commands/license-record.ts'
import { registerLicenseRevoke } from './commands/license-revoke.ts'
import { registerServe } from './commands/serve.ts'
import { VendorError } from './errors.ts'

const PREFIX = 'veche-vendor: '

// Set before adding commands: subcommands copy these settings when created.
const program = new Command('veche-vendor')
  .description('Veche vendor tools: signing keys, licenses, activations')
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(PREFIX + text.replace(/^error: /, '')) })

registerKeysCreate(program.command('keys').description('signing keys'))
const license = program.command('license').description('license keys')
registerLicenseIssue(license)
registerLicenseIssueUpdatePackage(license)
registerLicenseRecord(license)
registerLicenseRevoke(license)
const activation = program.command('activation').description('machine activations')
registerActivationList(activation)
registerActivationRelease(activation)
registerActivationCertify(activation)
registerServe(program)

try {
  await program.parseAsync(process.argv)
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode)
  if (err instanceof VendorError || err instanceof LicenseError || err instanceof ActivationRefused) {
    process.stderr.write(`${PREFIX}${err.message}\n`)
    process.exit(1)
  }
  throw err
}
