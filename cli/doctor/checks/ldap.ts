// The corporate directory answers as sign-in needs it to: the ldap settings are accepted, the connection
// (TLS or StartTLS, with ldap.caFile) and the service account's bind work, and ldap.searchBase exists.
// Found here, a wrong setting costs the administrator a minute instead of every employee their sign-in.
import { ConfigError } from '../../../config/load.ts'
import { LdapDirectory } from '../../../server/auth/ldap/directory.ts'
import { DirectoryError } from '../../../server/auth/ldap/errors.ts'
import type { Check } from '../check.ts'

export const ldapCheck: Check = {
  name: 'ldap',
  title: 'LDAP directory',
  async run(ctx) {
    const config = ctx.config().ldap
    if (config.url === '') return { status: 'ok', message: 'not configured (ldap.url is empty): LDAP sign-in is off' }
    let directory: LdapDirectory
    try {
      // The same validation the server runs at start; its message names the key.
      directory = LdapDirectory.create(config)
    } catch (err) {
      if (err instanceof ConfigError) return { status: 'error', message: err.message }
      throw err
    }
    try {
      await directory.probe()
    } catch (err) {
      // DirectoryError's text names the setting (ldap.url, ldap.caFile, ldap.bindPassword, ldap.searchBase...).
      if (err instanceof DirectoryError) return { status: 'error', message: err.message }
      throw err
    }
    const tls = config.url.startsWith('ldaps:') ? 'TLS' : config.startTls ? 'StartTLS' : 'no TLS'
    const who = config.bindDn ? `bound as ${config.bindDn}` : 'anonymous search'
    const summary = `${config.url} (${tls}, ${who}): ldap.searchBase ${config.searchBase} exists`
    if (directory.sendsPasswordsInClear) return { status: 'warning', message: `${summary}; passwords travel unencrypted: use ldaps:// or set ldap.startTls` }
    return { status: 'ok', message: summary }
  },
}
