// `veche admin block` / `unblock`: what the Users page does, from the machine's console (an owner
// who cannot sign in, or a script). Blocking signs the account out everywhere; a meeting it is in
// right now ends for it when the server next checks the account (any reconnect or new join).
import type { Command } from 'commander'
import { createUsersRepository } from '../../server/db/users-repository.ts'
import { blockUser, refused, unblockUser } from '../../server/services/users.ts'
import { withConfigOptions, type ConfigFlags } from '../config-options.ts'
import { withDataLayer } from '../data-layer.ts'
import { CliError } from '../errors.ts'
import { userByEmail } from '../user-by-email.ts'
import { CLI_ACTOR } from './admin-reset-password.ts'

export function registerAdminBlock(admin: Command): void {
  withConfigOptions(admin.command('block').description('block an account: it cannot sign in, and is signed out everywhere'))
    .requiredOption('--email <email>', "the user's e-mail (sign-in name)")
    .action((flags: ConfigFlags & { email: string }) =>
      withDataLayer(flags, async (dataLayer) => {
        const { user } = await userByEmail(createUsersRepository(dataLayer), flags.email)
        if (user.blockedAt !== null) return void process.stdout.write(`${user.email} is already blocked; nothing to do\n`)
        const done = await blockUser({ dataLayer }, CLI_ACTOR, user.id)
        if (refused(done)) throw new CliError(done.refused.message)
        process.stdout.write(`${user.email} blocked; ${done.sessions} session(s) signed out\n`)
      }),
    )
  withConfigOptions(admin.command('unblock').description('let a blocked account sign in again'))
    .requiredOption('--email <email>', "the user's e-mail (sign-in name)")
    .action((flags: ConfigFlags & { email: string }) =>
      withDataLayer(flags, async (dataLayer) => {
        const { user } = await userByEmail(createUsersRepository(dataLayer), flags.email)
        if (user.blockedAt === null) return void process.stdout.write(`${user.email} is not blocked; nothing to do\n`)
        const done = await unblockUser({ dataLayer }, CLI_ACTOR, user.id)
        if (refused(done)) throw new CliError(done.refused.message)
        process.stdout.write(`${user.email} unblocked; it may sign in again\n`)
      }),
    )
}
