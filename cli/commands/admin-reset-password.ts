// `veche admin reset-password`: the way back in when nobody who could reset a password can sign in.
import type { Command } from 'commander'
import { hashPassword, weakPassword, WEAK_PASSWORD_MESSAGE } from '../../server/auth/passwords.ts'
import { createUsersRepository } from '../../server/db/users-repository.ts'
import { refused, resetPassword, type Actor } from '../../server/services/users.ts'
import { withConfigOptions, type ConfigFlags } from '../config-options.ts'
import { withDataLayer } from '../data-layer.ts'
import { CliError } from '../errors.ts'
import { readSecret } from '../read-secret.ts'
import { userByEmail } from '../user-by-email.ts'

/** Who the audit log names for what an operator did at the machine's console. */
export const CLI_ACTOR: Actor = { id: null, displayName: 'cli' }

export function registerAdminResetPassword(admin: Command): void {
  withConfigOptions(admin.command('reset-password').description("set a local user's password, unlock the account and sign it out everywhere"))
    .requiredOption('--email <email>', "the user's e-mail (sign-in name)")
    .option('--password-stdin', 'read the new password from standard input instead of prompting')
    .action((flags: ConfigFlags & { email: string; passwordStdin?: boolean }) =>
      withDataLayer(flags, async (dataLayer) => {
        const { user } = await userByEmail(createUsersRepository(dataLayer), flags.email)
        // Refused before asking for a password; the service checks again.
        if (user.authSource !== 'local') {
          throw new CliError(`${user.email} signs in through the directory (${user.authSource === 'ldap' ? 'LDAP' : 'SSO'}): reset the password there`)
        }
        const password = await readSecret(`New password for ${user.email}: `, Boolean(flags.passwordStdin))
        if (weakPassword(password)) throw new CliError(WEAK_PASSWORD_MESSAGE)
        const done = await resetPassword({ dataLayer }, CLI_ACTOR, user.id, await hashPassword(password))
        if (refused(done)) throw new CliError(done.refused.message)
        process.stdout.write(`password of ${user.email} reset; ${done.sessions} session(s) signed out\n`)
        if (user.blockedAt !== null) process.stdout.write(`note: ${user.email} is blocked; an owner or admin unblocks it on the Users page\n`)
      }),
    )
}
