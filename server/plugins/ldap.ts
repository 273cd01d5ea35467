// Offers the corporate directory (LDAP / Active Directory) to sign-in as app.ldapDirectory; null
// when ldap.url is empty. Wrong settings stop the start with the key to fix. Every ldap.recheckMinutes
// the signed-in directory users are checked again, and those the directory no longer permits signed out.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../../config/schema.ts'
import { LdapDirectory, type Directory } from '../auth/ldap/directory.ts'
import { recheckDirectorySessions, type SessionRecheckResult } from '../auth/ldap/session-recheck.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The directory employees sign in with; null: LDAP sign-in is off. */
    ldapDirectory: Directory | null
    /** Looks the signed-in directory users up again now (what the ldap.recheckMinutes timer runs); null: LDAP off. */
    recheckLdapSessions: (() => Promise<SessionRecheckResult>) | null
  }
}

export interface LdapPluginOptions {
  config: Config['ldap']
}

function scheduleRecheck(app: FastifyInstance, recheck: () => Promise<SessionRecheckResult>, everyMs: number, log: FastifyBaseLogger): void {
  let timer: NodeJS.Timeout | undefined
  let running: Promise<unknown> = Promise.resolve()
  const run = async (): Promise<void> => {
    try {
      await recheck()
    } catch (err) {
      log.error({ err: (err as Error).message }, 'LDAP session check failed; retried at the next run')
    }
  }
  app.addHook('onReady', async () => {
    timer = setInterval(() => void (running = run()), everyMs)
    timer.unref()
  })
  app.addHook('onClose', async () => {
    clearInterval(timer)
    await running
  })
}

export default fp<LdapPluginOptions>(
  async (app, { config }) => {
    if (config.url === '') {
      app.decorate('ldapDirectory', null)
      app.decorate('recheckLdapSessions', null)
      return
    }
    const log = app.log.child({ component: 'ldap' })
    const directory = LdapDirectory.create(config, log)
    if (directory.sendsPasswordsInClear) {
      log.warn({ url: config.url }, 'LDAP passwords travel unencrypted: use ldaps:// or set ldap.startTls')
    }
    log.info({ url: config.url, searchBase: config.searchBase }, 'LDAP sign-in on')
    app.decorate('ldapDirectory', directory)
    // The repositories and rooms are the app's, read at each run: plugins registered after this one own them.
    const recheck = (): Promise<SessionRecheckResult> =>
      recheckDirectorySessions({
        directory,
        users: app.usersRepository,
        sessions: app.sessionsRepository,
        audit: app.auditRepository,
        registry: app.roomRegistry,
        log,
      })
    app.decorate('recheckLdapSessions', recheck)
    if (config.recheckMinutes > 0) scheduleRecheck(app, recheck, config.recheckMinutes * 60_000, log)
  },
  { name: 'ldap' },
)
