import type { Command } from 'commander'
import { resolve, join } from 'node:path'
import { hashPassword, weakPassword, WEAK_PASSWORD_MESSAGE } from '../../server/auth/passwords.ts'
import { openDatabase } from '../../server/db/database.ts'
import { createUsersRepository } from '../../server/db/users-repository.ts'
import { configFrom, withConfigOptions, type ConfigFlags } from '../config-options.ts'
import { CliError } from '../errors.ts'
import { readSecret } from '../read-secret.ts'

export function registerAdminCreateOwner(admin: Command): void {
  withConfigOptions(admin.command('create-owner').description('create the workspace owner (first run)'))
    .requiredOption('--email <email>', "the owner's e-mail (sign-in name)")
    .requiredOption('--name <name>', "the owner's display name")
    .option('--password-stdin', 'read the password from standard input instead of prompting')
    .action(async (flags: ConfigFlags & { email: string; name: string; passwordStdin?: boolean }) => {
      const config = configFrom(flags)
      const db = openDatabase(join(resolve(config.data.dir), 'veche.db'))
      try {
        const users = createUsersRepository(db)
        if (users.hasOwner()) throw new CliError('the workspace already has an owner; sign in as that owner to add users')
        const password = await readSecret('Owner password: ', Boolean(flags.passwordStdin))
        if (weakPassword(password)) throw new CliError(WEAK_PASSWORD_MESSAGE)
        const user = users.create({ email: flags.email, displayName: flags.name, role: 'owner', passwordHash: await hashPassword(password) })
        process.stdout.write(`owner ${user.email} created; sign in at the server's address\n`)
      } finally {
        db.close()
      }
    })
}
