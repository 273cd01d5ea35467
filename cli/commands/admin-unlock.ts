// `veche admin unlock`: lifts the lock that failed sign-ins put on an account, before it runs out.
import type { Command } from 'commander'
import { join, resolve } from 'node:path'
import { createAuditRepository } from '../../server/db/audit-repository.ts'
import { openDatabase } from '../../server/db/database.ts'
import { createDb, runInSyncTransaction } from '../../server/db/engine.ts'
import { createUsersRepository } from '../../server/db/users-repository.ts'
import { configFrom, withConfigOptions, type ConfigFlags } from '../config-options.ts'
import { userByEmail } from '../user-by-email.ts'
import { CLI_ACTOR } from './admin-reset-password.ts'

export function registerAdminUnlock(admin: Command): void {
  withConfigOptions(admin.command('unlock').description('clear the failed sign-ins and the lock of an account'))
    .requiredOption('--email <email>', "the user's e-mail (sign-in name)")
    .action((flags: ConfigFlags & { email: string }) => {
      const config = configFrom(flags)
      const db = openDatabase(join(resolve(config.data.dir), 'veche.db'))
      try {
        const users = createUsersRepository(db)
        const { user, failedSignIns, lockedUntil } = userByEmail(users, flags.email)
        const locked = lockedUntil !== null && lockedUntil > Date.now()
        if (failedSignIns === 0 && !locked) {
          users.clearFailedSignIns(user.id)
          process.stdout.write(`${user.email} is not locked; nothing to do\n`)
        } else {
          db.transaction(() => {
            users.clearFailedSignIns(user.id)
            const audit = createAuditRepository(createDb({ url: '', password: '', passwordFile: '' }, db))
            runInSyncTransaction(db, audit.queries.record(CLI_ACTOR, 'user.unlocked', { id: user.id, name: user.displayName }, { failedSignIns }))
          })()
          process.stdout.write(`${user.email} unlocked${locked ? '' : ` (was not locked; ${failedSignIns} failed sign-in(s) forgotten)`}\n`)
        }
        if (user.role === 'owner') {
          // The server keeps an owner's lock in memory, per address (see server/auth/sign-in-guard.ts).
          process.stdout.write('note: an owner is locked only at the address that failed, by the running server: sign in from another machine or wait limits.signInLockMinutes\n')
        }
        if (user.blockedAt !== null) process.stdout.write(`note: ${user.email} is blocked; an owner or admin unblocks it on the Users page\n`)
      } finally {
        db.close()
      }
    })
}
