// The veche command-line entry: one file per command under commands/.
import { Command, CommanderError } from 'commander'
import { ConfigError } from '../config/load.ts'
import { LicenseError } from '../license-keys/errors.ts'
import { MigrationError } from '../server/db/migrations.ts'
import { registerActivate } from './commands/activate.ts'
import { registerAdminBlock } from './commands/admin-block.ts'
import { registerAdminCreateOwner } from './commands/admin-create-owner.ts'
import { registerAdminResetPassword } from './commands/admin-reset-password.ts'
import { registerAdminUnlock } from './commands/admin-unlock.ts'
import { registerBackup } from './commands/backup.ts'
import { registerClusterStatus } from './commands/cluster-status.ts'
import { registerLicense } from './commands/license.ts'
import { registerConfigCheck } from './commands/config-check.ts'
import { registerDbMigrate } from './commands/db-migrate.ts'
import { registerDoctor } from './commands/doctor.ts'
import { registerHealth } from './commands/health.ts'
import { registerRestore } from './commands/restore.ts'
import { registerServe } from './commands/serve.ts'
import { registerTlsEnsure } from './commands/tls-ensure.ts'
import { registerUpdate } from './commands/update.ts'
import { CliError } from './errors.ts'

const program = new Command('veche').description('Veche Server: self-hosted video meetings').exitOverride()
registerServe(program)
registerConfigCheck(program)
registerActivate(program)
registerLicense(program)
registerUpdate(program)
registerDbMigrate(program)
registerBackup(program)
registerRestore(program)
registerTlsEnsure(program)
registerHealth(program)
registerDoctor(program)
const admin = program.command('admin').description('workspace administration')
registerAdminCreateOwner(admin)
registerAdminResetPassword(admin)
registerAdminUnlock(admin)
registerAdminBlock(admin)
const cluster = program.command('cluster').description('several nodes serving one workspace (cluster.redisUrl)')
registerClusterStatus(cluster)

// A key pasted as one argument ("$(cat key.txt)") starts with its -----BEGIN line, which commander
// would take for an option; a leading newline keeps it an argument (the key reader ignores it).
const argv = process.argv.map((arg) => (arg.startsWith('-----BEGIN VECHE ') ? `\n${arg}` : arg))

try {
  await program.parseAsync(argv)
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode)
  if (err instanceof CliError || err instanceof ConfigError || err instanceof LicenseError || err instanceof MigrationError) {
    process.stderr.write(`veche: ${err.message}\n`)
    process.exit(1)
  }
  throw err
}
