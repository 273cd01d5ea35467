// `veche admin unlock`: lifts the lock that failed sign-ins put on an account, before it runs out.
import type { Command } from 'commander'
import { createUsersRepository } from '../../server/db/users-repository.ts'
import { refused, unlockUser } from '../../server/services/users.ts'
import { withConfigOptions, type ConfigFlags } from '../config-options.ts'
import { withDataLayer } from '../data-layer.ts'
import { CliError } from '../errors.ts'
import { userByEmail } from '../user-by-email.ts'
import { CLI_ACTOR } from './admin-reset-password.ts'

export function registerAdminUnlock(admin: Command): void {
  withConfigOptions(admin.command('unlock').description('clear the failed sign-ins and the lock of an account'))
    .requiredOption('--email <email>', "the user's e-mail (sign-in name)")
    .action((flags: ConfigFlags & { email: string }) =>
      withDataLayer(flags, async (dataLayer) => {
        const { user } = await userByEmail(createUsersRepository(dataLayer), flags.email)
        const done = await unlockUser({ dataLayer }, CLI_ACTOR, user.id)
        if (refused(done)) throw new CliError(done.refused.message)
        const { failedSignIns, locked } = done
        if (failedSignIns === 0 && !locked) process.stdout.write(`${user.email} is not locked; nothing to do\n`)
        else process.stdout.write(`${user.email} unlocked${locked ? '' : ` (was not locked; ${failedSignIns} failed sign-in(s) forgotten)`}\n`)
        if (user.role === 'owner') {
          // The server keeps an owner's lock in memory, per address (see server/auth/sign-in-guard.ts).
          process.stdout.write('note: an owner is locked only at the address that failed, by the running server: sign in from another machine or wait limits.signInLockMinutes\n')
        }
        if (user.blockedAt !== null) process.stdout.write(`note: ${user.email} is blocked; an owner or admin unblocks it on the Users page\n`)
      }),
    )
}
