// `veche admin reset-password`: the way back in when nobody who could reset a password can sign in.
import type { Command } from 'commander'
import { join, resolve } from 'node:path'
import { hashPassword, weakPassword, WEAK_PASSWORD_MESSAGE } from '../../server/auth/passwords.ts'
import { createAuditRepository, type AuditActor } from '../../server/db/audit-repository.ts'
import { openDatabase } from '../../server/db/database.ts'
import { createDb, runInSyncTransaction } from '../../server/db/engine.ts'
import { createSessionsRepository } from '../../server/db/sessions-repository.ts'
import { createUsersRepository } from '../../server/db/users-repository.ts'
import { configFrom, withConfigOptions, type ConfigFlags } from '../config-options.ts'
import { CliError } from '../errors.ts'
import { userByEmail } from '../user-by-email.ts'
import { readSecret } from '../read-secret.ts'

/** Who the audit log names for what an operator did at the machine's console. */
export const CLI_ACTOR: AuditActor = { id: null, displayName: 'cli' }

export function registerAdminResetPassword(admin: Command): void {
  withConfigOptions(admin.command('reset-password').description("set a local user's password, unlock the account and sign it out everywhere"))
    .requiredOption('--email <email>', "the user's e-mail (sign-in name)")
    .option('--password-stdin', 'read the new password from standard input instead of prompting')
    .action(async (flags: ConfigFlags & { email: string; passwordStdin?: boolean }) => {
      const config = configFrom(flags)
      const db = openDatabase(join(resolve(config.data.dir), 'veche.db'))
      try {
        const users = createUsersRepository(db)
        const { user } = userByEmail(users, flags.email)
        if (user.authSource !== 'local') {
          throw new CliError(`${user.email} signs in through the directory (${user.authSource === 'ldap' ? 'LDAP' : 'SSO'}): reset the password there`)
        }
        const password = await readSecret(`New password for ${user.email}: `, Boolean(flags.passwordStdin))
        if (weakPassword(password)) throw new CliError(WEAK_PASSWORD_MESSAGE)
        const hash = await hashPassword(password)
        const sessions = createSessionsRepository(db)
        const audit = createAuditRepository(createDb({ url: '', password: '', passwordFile: '' }, db))
        const ended = db.transaction(() => {
          users.setPasswordHash(user.id, hash)
          users.clearFailedSignIns(user.id)
          runInSyncTransaction(db, audit.queries.record(CLI_ACTOR, 'user.password_reset', { id: user.id, name: user.displayName }))
          return sessions.deleteForUser(user.id)
        })()
        process.stdout.write(`password of ${user.email} reset; ${ended} session(s) signed out\n`)
        if (user.blockedAt !== null) process.stdout.write(`note: ${user.email} is blocked; an owner or admin unblocks it on the Users page\n`)
      } finally {
        db.close()
      }
    })
}
