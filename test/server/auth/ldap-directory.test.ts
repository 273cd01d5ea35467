// The directory client against a real slapd: finding, binding, groups, escaping, TLS, failures.
import t from 'tap'
import { createServer, type Socket } from 'node:net'
import { loadConfig } from '../../../config/load.ts'
import { LdapDirectory, type LdapConfig } from '../../../server/auth/ldap/directory.ts'
import { DirectoryError } from '../../../server/auth/ldap/errors.ts'
import { freePort } from '../../kits.ts'
import {
  ADMINS_GROUP,
  GROUPS,
  OWNERS_GROUP,
  PEOPLE,
  SERVICE_DN,
  SERVICE_PASSWORD,
  USERS_GROUP,
  person,
  personDn,
  startLdapServer,
} from '../../ldap-server.ts'

const server = await startLdapServer(t)

const settings = (over: Partial<LdapConfig> = {}): LdapConfig => ({
  ...loadConfig().ldap,
  url: server.url,
  searchBase: PEOPLE,
  adminGroups: [ADMINS_GROUP],
  ownerGroups: [OWNERS_GROUP],
  timeoutSeconds: 5,
  ...over,
})
const directory = (over: Partial<LdapConfig> = {}): LdapDirectory => LdapDirectory.create(settings(over))

t.test('the right password returns the entry: e-mail, name, groups and role', async (t) => {
  const alice = person('alice')
  const found = await directory().authenticate('alice', alice.password)
  t.same(found, {
    id: `entryuuid:${server.entryUuid(personDn(alice))}`,
    dn: personDn(alice),
    email: 'alice@corp.example',
    displayName: 'Алиса Иванова',
    groups: [ADMINS_GROUP, USERS_GROUP],
    role: 'admin',
  })
  t.match(await directory().authenticate('alice@corp.example', alice.password), { dn: personDn(alice) }, 'the e-mail is a login too')
  t.match(await directory().authenticate('dave', person('dave').password), { role: 'owner' })
  t.match(await directory().authenticate('bob', person('bob').password), { displayName: 'Bob Builder', role: 'member' }, 'cn when no displayName')
  t.match(await directory().authenticate('  bob ', person('bob').password), { dn: personDn(person('bob')) }, 'spaces around the login are not part of it')
})

t.test('wrong password, unknown login, empty password: null, never an error', async (t) => {
  t.equal(await directory().authenticate('alice', 'wrong'), null)
  t.equal(await directory().authenticate('alice', 'alice password '), null)
  t.equal(await directory().authenticate('nobody', 'alice password'), null)
  t.equal(await directory().authenticate('alice', ''), null)
  t.equal(await directory().authenticate('', 'x'), null)
})

t.test('an empty password is refused before anything is sent', async (t) => {
  // Nothing listens here: reaching for the directory would throw DirectoryError.
  const nowhere = LdapDirectory.create(settings({ url: `ldap://127.0.0.1:${await freePort()}` }))
  t.equal(await nowhere.authenticate('alice', ''), null)
  await t.rejects(nowhere.authenticate('alice', 'x'), DirectoryError, 'while a real attempt does reach out')
})

t.test('filter syntax in the login matches nobody else', async (t) => {
  const attacks = ['*', 'alice*', '*)(uid=*', 'admin)(|(uid=*', '*)(uid=*))(|(uid=*', 'alice)(|(uid=*)', 'a\\', '\\2a', 'alice\0', '\0', '(uid=*)']
  for (const login of attacks) {
    for (const password of ['alice password', 'bob password', 'x']) {
      t.equal(await directory().authenticate(login, password), null, `${JSON.stringify(login)} / ${password}`)
    }
  }
  // With a looser filter a wildcard would have matched alice alone and then bound with her password.
  t.equal(await directory({ userFilter: '(&(objectClass=inetOrgPerson)(uid={login}))' }).authenticate('al*', 'alice password'), null)
})

t.test('a login full of filter characters finds exactly its own entry', async (t) => {
  const tricky = person('a(b)c\\d*')
  t.match(await directory().authenticate('a(b)c\\d*', tricky.password), { dn: personDn(tricky), email: 'tricky@corp.example' })
  t.equal(await directory().authenticate('a(b)c\\d', tricky.password), null)
})

t.test('non-ASCII logins and passwords work', async (t) => {
  t.match(await directory().authenticate('иван', 'пароль ивана'), { dn: personDn(person('иван')), displayName: 'Иван Петров' })
  t.equal(await directory().authenticate('ИВАН', 'пароль'), null)
  t.equal(await directory().authenticate('\ud800', 'x'), null, 'a lone surrogate names nobody')
})

t.test('a login two entries share is refused, not guessed', async (t) => {
  const warnings: object[] = []
  const d = LdapDirectory.create(settings(), { warn: (fields) => warnings.push(fields) })
  t.equal(await d.authenticate('twin@corp.example', 'twin password'), null)
  t.match(warnings, [{ login: 'twin@corp.example' }])
  t.match(await d.authenticate('twin1', 'twin password'), { email: 'twin@corp.example' })
})

t.test('an entry without e-mail comes back with an empty one', async (t) => {
  t.match(await directory().authenticate('nomail', 'nomail password'), { email: '', displayName: 'No Mail' })
})

t.test('groups from a group search, as well as or instead of memberOf', async (t) => {
  const byGroupSearch = directory({ groupAttribute: '', groupSearchBase: GROUPS })
  const alice = await byGroupSearch.authenticate('alice', 'alice password')
  t.same(alice?.groups.toSorted(), [ADMINS_GROUP, USERS_GROUP])
  t.equal(alice?.role, 'admin')
  const both = await directory({ groupSearchBase: GROUPS }).authenticate('alice', 'alice password')
  t.same(both?.groups.toSorted(), [ADMINS_GROUP, USERS_GROUP], 'memberOf and the search agree: each group once')
  t.match(await byGroupSearch.authenticate('carol', 'carol password'), { groups: [], role: 'member' })
  const asService = directory({ groupAttribute: '', groupSearchBase: GROUPS, bindDn: SERVICE_DN, bindPassword: SERVICE_PASSWORD })
  t.match(await asService.authenticate('dave', 'dave password'), { groups: [OWNERS_GROUP], role: 'owner' })
  t.match(await directory({ groupAttribute: '' }).authenticate('alice', 'alice password'), { groups: [], role: 'member' })
})

t.test('requiredGroups: others get role null', async (t) => {
  const d = directory({ requiredGroups: [USERS_GROUP] })
  t.match(await d.authenticate('carol', 'carol password'), { role: null })
  t.match(await d.authenticate('bob', 'bob password'), { role: 'member' })
  t.match(await d.authenticate('dave', 'dave password'), { role: 'owner' }, 'an owner group lets its members in')
})

t.test('a service account searches; a wrong one is a configuration error, not a wrong password', async (t) => {
  t.match(await directory({ bindDn: SERVICE_DN, bindPassword: SERVICE_PASSWORD }).authenticate('bob', 'bob password'), { email: 'bob@corp.example' })
  const wrong = directory({ bindDn: SERVICE_DN, bindPassword: 'not it' })
  const err = await wrong.authenticate('bob', 'bob password').catch((e: unknown) => e)
  t.type(err, DirectoryError)
  t.match(err, { problem: 'misconfigured', message: /refused the bind as ldap.bindDn 'cn=veche,ou=services,dc=corp,dc=example' \(check ldap.bindDn and ldap.bindPassword\): invalid credentials, LDAP result 49$/ })
})

t.test('a search base that does not exist is named', async (t) => {
  const err = await directory({ searchBase: 'ou=nowhere,dc=corp,dc=example' }).authenticate('bob', 'bob password').catch((e: unknown) => e)
  t.match(err, { name: 'DirectoryError', problem: 'misconfigured', message: /refused the user search under ldap.searchBase 'ou=nowhere,dc=corp,dc=example': no such object, LDAP result 32$/ })
})

t.test('ldaps:// with the corporate CA works; with another CA it fails naming ldap.caFile', async (t) => {
  t.match(await directory({ url: server.ldapsUrl, caFile: server.caFile }).authenticate('alice', 'alice password'), { role: 'admin' })
  const err = await directory({ url: server.ldapsUrl, caFile: server.otherCaFile }).authenticate('alice', 'alice password').catch((e: unknown) => e)
  t.match(err, { name: 'DirectoryError', problem: 'tls', message: /TLS certificate at ldaps:\/\/127\.0\.0\.1:\d+ is not trusted .*set ldap.caFile/ })
  const system = await directory({ url: server.ldapsUrl }).authenticate('alice', 'alice password').catch((e: unknown) => e)
  t.match(system, { problem: 'tls' }, 'the system CAs do not know a corporate CA')
})

t.test('ldaps:// to the plain port says so', async (t) => {
  const plain = server.url.replace('ldap://', 'ldaps://')
  const err = await directory({ url: plain, caFile: server.caFile }).authenticate('alice', 'alice password').catch((e: unknown) => e)
  t.match(err, { name: 'DirectoryError', problem: 'tls', message: /^no TLS at ldaps:.*for port 389 use ldap:\/\/ with ldap.startTls$/ })
})

t.test('StartTLS upgrades ldap:// and checks the certificate', async (t) => {
  t.match(await directory({ startTls: true, caFile: server.caFile }).authenticate('bob', 'bob password'), { email: 'bob@corp.example' })
  const byName = directory({ url: server.url.replace('127.0.0.1', 'localhost'), startTls: true, caFile: server.caFile })
  t.match(await byName.authenticate('bob', 'bob password'), { email: 'bob@corp.example' }, 'a host name is checked too')
  const err = await directory({ startTls: true, caFile: server.otherCaFile }).authenticate('bob', 'bob password').catch((e: unknown) => e)
  t.match(err, { name: 'DirectoryError', problem: 'tls', message: /set ldap.caFile/ })
})

t.test('nothing listening: unreachable, naming the URL', async (t) => {
  const url = `ldap://127.0.0.1:${await freePort()}`
  const err = await directory({ url }).authenticate('alice', 'alice password').catch((e: unknown) => e)
  t.match(err, { name: 'DirectoryError', problem: 'unreachable', message: `cannot reach the directory at ${url}: connect ECONNREFUSED` })
})

t.test('a directory that never answers: timeout after ldap.timeoutSeconds', async (t) => {
  const sockets: Socket[] = []
  let closed = 0
  const silent = createServer((s) => {
    sockets.push(s)
    s.resume() // reads and drops requests, so the client's FIN is seen
    s.once('close', () => closed++)
  })
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    for (const s of sockets) s.destroy()
    silent.close()
  })
  const { port } = silent.address() as { port: number }
  for (const over of [{}, { url: `ldaps://127.0.0.1:${port}` }, { startTls: true }, { bindDn: SERVICE_DN, bindPassword: 'x' }]) {
    const err = await directory({ url: `ldap://127.0.0.1:${port}`, timeoutSeconds: 1, ...over }).authenticate('alice', 'alice password').catch((e: unknown) => e)
    t.match(err, { name: 'DirectoryError', problem: 'timeout', message: /did not answer .*ldap.timeoutSeconds/ }, JSON.stringify(over))
  }
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(closed, sockets.length, 'every connection was closed')
})

t.test('every sign-in closes its connection', async (t) => {
  // The directory's own count of open connections (cn=monitor is off): connect and count via ss.
  const d = directory()
  for (let i = 0; i < 5; i++) {
    await d.authenticate('alice', 'alice password')
    await d.authenticate('alice', 'wrong')
    await d.authenticate('nobody', 'x')
  }
  const { execFileSync } = await import('node:child_process')
  await new Promise((resolve) => setTimeout(resolve, 100))
  const port = new URL(server.url).port
  const open = execFileSync('ss', ['-Htn', 'state', 'established', `( dport = :${port} )`], { encoding: 'utf8' }).trim()
  t.equal(open, '', 'no connection to the directory left open')
})
