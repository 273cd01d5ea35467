import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig } from '../../../config/load.ts'
import { LdapDirectory } from '../../../server/auth/ldap/directory.ts'
import { build, tempDir } from '../../helper.ts'

t.test('LDAP is off by default, with the documented defaults', async (t) => {
  const { ldap } = loadConfig()
  t.equal(ldap.url, '')
  t.equal(ldap.startTls, false)
  t.equal(ldap.userFilter, '(|(uid={login})(mail={login})(sAMAccountName={login}))')
  t.equal(ldap.groupFilter, '(|(member={dn})(uniqueMember={dn}))')
  t.same(ldap.adminGroups, [])
  t.equal(ldap.timeoutSeconds, 10)
})

t.test('group DNs hold commas: the environment and flags take a JSON list', async (t) => {
  const c = loadConfig({
    env: {
      VECHE_LDAP_URL: 'ldaps://dc1.corp.example',
      VECHE_LDAP_START_TLS: 'false',
      VECHE_LDAP_ADMIN_GROUPS: '["cn=veche-admins,ou=groups,dc=corp,dc=example", "cn=it,ou=groups,dc=corp,dc=example"]',
    },
    set: ['ldap.ownerGroups=["cn=owners,dc=corp,dc=example"]', 'ldap.requiredGroups=', 'ldap.timeoutSeconds=3'],
  })
  t.equal(c.ldap.url, 'ldaps://dc1.corp.example')
  t.same(c.ldap.adminGroups, ['cn=veche-admins,ou=groups,dc=corp,dc=example', 'cn=it,ou=groups,dc=corp,dc=example'])
  t.same(c.ldap.ownerGroups, ['cn=owners,dc=corp,dc=example'])
  t.same(c.ldap.requiredGroups, [])
  t.equal(c.ldap.timeoutSeconds, 3)
  t.same(loadConfig({ set: ['tls.hostnames=a,b'] }).tls.hostnames, ['a', 'b'], 'comma lists still work')
  t.same(loadConfig({ set: ['ldap.startTls=1'] }).ldap.startTls, true)
})

t.test('wrong LDAP settings are refused naming the key', async (t) => {
  t.throws(() => loadConfig({ set: ['ldap.url=http://dc1'] }), { message: /^config key 'ldap.url'.*\(from --set\)$/ })
  t.throws(() => loadConfig({ set: ['ldap.adminGroups=["cn=a,dc=x"'] }), { message: /^config key 'ldap.adminGroups': expected array.*\(from --set\)$/ })
  t.throws(() => loadConfig({ env: { VECHE_LDAP_START_TLS: 'yes' } }), { message: /^config key 'ldap.startTls': expected boolean/ })
})

t.test('a directory that cannot work stops the start with the key to fix', async (t) => {
  const base = { ...loadConfig().ldap, url: 'ldap://dc1.corp.example', searchBase: 'dc=corp,dc=example' }
  t.ok(LdapDirectory.create(base))
  t.ok(LdapDirectory.create(base).sendsPasswordsInClear, 'ldap:// to another host without StartTLS')
  t.notOk(LdapDirectory.create({ ...base, startTls: true }).sendsPasswordsInClear)
  t.throws(() => LdapDirectory.create({ ...base, searchBase: '' }), { name: 'ConfigError', message: /^config key 'ldap.searchBase': is required/ })
  t.throws(() => LdapDirectory.create({ ...base, url: 'ldaps://dc1', startTls: true }), { message: /^config key 'ldap.startTls'/ })
  t.throws(() => LdapDirectory.create({ ...base, bindDn: 'cn=veche,dc=corp,dc=example' }), { message: /^config key 'ldap.bindPassword': is empty.*anonymous/ })
  t.throws(() => LdapDirectory.create({ ...base, userFilter: '(uid=alice)' }), { message: /^config key 'ldap.userFilter': must contain \{login\}/ })
  t.throws(() => LdapDirectory.create({ ...base, userFilter: '(uid={login}' }), { message: /^config key 'ldap.userFilter': is not a valid LDAP filter/ })
  t.throws(() => LdapDirectory.create({ ...base, groupSearchBase: 'ou=groups', groupFilter: 'member={dn})(' }), { message: /^config key 'ldap.groupFilter'/ })
  t.throws(() => LdapDirectory.create({ ...base, caFile: '/nonexistent/ca.pem' }), { message: /^config key 'ldap.caFile': cannot read \/nonexistent\/ca.pem/ })
  const dir = tempDir(t)
  const notPem = join(dir, 'ca.pem')
  writeFileSync(notPem, 'hello')
  t.throws(() => LdapDirectory.create({ ...base, caFile: notPem }), { message: /holds no PEM certificate/ })
})

t.test('the server does not start with LDAP settings that cannot work', async (t) => {
  await t.rejects(build(t, { set: ['ldap.url=ldap://dc1.corp.example'] }), { name: 'ConfigError', message: /^config key 'ldap.searchBase': is required/ })
  const off = await build(t)
  t.equal(off.ldapDirectory, null, 'no URL: LDAP sign-in is off')
  const on = await build(t, { set: ['ldap.url=ldaps://dc1.corp.example', 'ldap.searchBase=dc=corp,dc=example'] })
  t.equal(on.ldapDirectory?.url, 'ldaps://dc1.corp.example')
  t.match((await on.inject({ url: '/api/auth/methods' })).json(), { login: 'email_or_username' }, 'the sign-in page is told to ask for a user name too')
})
