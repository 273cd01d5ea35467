import type { Command } from 'commander'
import { hashPassword, weakPassword, WEAK_PASSWORD_MESSAGE } from '../../server/auth/passwords.ts'
import { createUsersRepository } from '../../server/db/users-repository.ts'
import { createFirstOwner } from '../../server/services/users.ts'
import { withConfigOptions, type ConfigFlags } from '../config-options.ts'
import { withDataLayer } from '../data-layer.ts'
import { CliError } from '../errors.ts'
import { readSecret } from '../read-secret.ts'

const OWNER_EXISTS = 'the workspace already has an owner; sign in as that owner to add users'

export function registerAdminCreateOwner(admin: Command): void {
  withConfigOptions(admin.command('create-owner').description('create the workspace owner (first run)'))
    .requiredOption('--email <email>', "the owner's e-mail (sign-in name)")
    .requiredOption('--name <name>', "the owner's display name")
    .option('--password-stdin', 'read the password from standard input instead of prompting')
    .action((flags: ConfigFlags & { email: string; name: string; passwordStdin?: boolean }) =>
      withDataLayer(flags, async (dataLayer) => {
        // Refused before asking for a password; createFirstOwner checks again as it writes.
        if (await createUsersRepository(dataLayer).hasOwner()) throw new CliError(OWNER_EXISTS)
        const password = await readSecret('Owner password: ', Boolean(flags.passwordStdin))
        if (weakPassword(password)) throw new CliError(WEAK_PASSWORD_MESSAGE)
        const user = await createFirstOwner({ dataLayer }, { email: flags.email, displayName: flags.name, passwordHash: await hashPassword(password) })
        if (!user) throw new CliError(OWNER_EXISTS)
        process.stdout.write(`owner ${user.email} created; sign in at the server's address\n`)
      }),
    )
}
