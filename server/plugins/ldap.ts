// Offers the corporate directory (LDAP / Active Directory) to sign-in as app.ldapDirectory; null
// when ldap.url is empty. Wrong settings stop the start with the key to fix.
import fp from 'fastify-plugin'
import type { Config } from '../../config/schema.ts'
import { LdapDirectory, type Directory } from '../auth/ldap/directory.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The directory employees sign in with; null: LDAP sign-in is off. */
    ldapDirectory: Directory | null
  }
}

export interface LdapPluginOptions {
  config: Config['ldap']
}

export default fp<LdapPluginOptions>(
  async (app, { config }) => {
    if (config.url === '') {
      app.decorate('ldapDirectory', null)
      return
    }
    const log = app.log.child({ component: 'ldap' })
    const directory = LdapDirectory.create(config, log)
    if (directory.sendsPasswordsInClear) {
      log.warn({ url: config.url }, 'LDAP passwords travel unencrypted: use ldaps:// or set ldap.startTls')
    }
    log.info({ url: config.url, searchBase: config.searchBase }, 'LDAP sign-in on')
    app.decorate('ldapDirectory', directory)
  },
  { name: 'ldap' },
)
