// Sign-in through a real slapd: accounts created, refreshed and refused the way an employee and an
// administrator would notice.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { buildApp } from '../../../server/app.ts'
import type { UserId } from '../../../server/db/users-repository.ts'
import { OWNER, build, createMember, createOwner, sessionCookie, tempDir, testConfig } from '../../helper.ts'
import { freePort } from '../../kits.ts'
import { installTestLicense } from '../../license-helper.ts'
import { ADMINS_GROUP, OWNERS_GROUP, PEOPLE, USERS_GROUP, person, personDn, startLdapServer } from '../../ldap-server.ts'

const server = await startLdapServer(t)
const SSO = { features: ['sso' as const] }

const ldap = (over: string[] = []): string[] => [
  `ldap.url=${server.url}`,
  `ldap.searchBase=${PEOPLE}`,
  `ldap.adminGroups=${JSON.stringify([ADMINS_GROUP])}`,
  `ldap.ownerGroups=${JSON.stringify([OWNERS_GROUP])}`,
  'ldap.timeoutSeconds=5',
  ...over,
]

const signIn = (app: FastifyInstance, email: string, password: string) =>
  app.inject({ method: 'POST', url: '/api/auth/signin', payload: { email, password } })

/** An app whose log lines are kept, to see what an operator would read. */
async function buildLogged(t: { teardown(fn: () => unknown): void }, set: string[]): Promise<{ app: FastifyInstance; log: () => Record<string, unknown>[] }> {
  const dataDir = tempDir(t)
  const lines: string[] = []
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) })
  const app = await buildApp({ config: testConfig(dataDir, set), dataDir, logger, caCert: 'test-ca' })
  t.teardown(() => app.close())
  await app.ready()
  await installTestLicense(app, SSO)
  return { app, log: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) }
}

t.test('the first sign-in creates the account with the role the groups give', async (t) => {
  const app = await build(t, { set: ldap(), license: SSO })
  const res = await signIn(app, 'alice', person('alice').password)
  t.equal(res.statusCode, 200, res.body)
  const { user } = res.json<{ user: { id: UserId } }>()
  t.match(user, { email: 'alice@corp.example', displayName: 'Алиса Иванова', role: 'admin', authSource: 'ldap', blockedAt: null })
  t.match(await app.usersRepository.findExternal('ldap', `entryuuid:${server.entryUuid(personDn(person('alice')))}`), { id: user.id }, 'keyed by the entry UUID')
  const me = await app.inject({ url: '/api/auth/me', headers: { cookie: sessionCookie(res) } })
  t.match(me.json(), { user: { id: user.id, role: 'admin' } }, 'the session works')
  t.match((await app.auditRepository.list()).entries, [
    { action: 'user.created', actorId: null, actorName: 'system', targetId: user.id, targetName: 'Алиса Иванова', detail: { source: 'ldap', role: 'admin' } },
  ])
  const bob = await signIn(app, 'bob@corp.example', person('bob').password)
  t.match(bob.json(), { user: { displayName: 'Bob Builder', role: 'member' } }, 'the e-mail works as the login too')
  t.match((await signIn(app, 'dave', person('dave').password)).json(), { user: { role: 'owner' } })
  t.match((await signIn(app, 'иван', 'пароль ивана')).json(), { user: { email: 'ivan@corp.example', displayName: 'Иван Петров' } })
})

t.test('the next sign-in reuses the account and refreshes name, e-mail and role', async (t) => {
  const app = await build(t, { set: ldap(), license: SSO })
  const first = (await signIn(app, 'alice', person('alice').password)).json<{ user: { id: UserId } }>().user
  server.modify(
    `dn: ${personDn(person('alice'))}\nchangetype: modify\nreplace: displayName\ndisplayName: Алиса Смирнова\n-\nreplace: mail\nmail: alice.smirnova@corp.example\n\n` +
      `dn: ${ADMINS_GROUP}\nchangetype: modify\ndelete: member\nmember: ${personDn(person('alice'))}\n`,
  )
  t.teardown(() =>
    server.modify(
      `dn: ${personDn(person('alice'))}\nchangetype: modify\nreplace: displayName\ndisplayName: Алиса Иванова\n-\nreplace: mail\nmail: alice@corp.example\n\n` +
        `dn: ${ADMINS_GROUP}\nchangetype: modify\nadd: member\nmember: ${personDn(person('alice'))}\n`,
    ),
  )
  const res = await signIn(app, 'alice', person('alice').password)
  t.equal(res.statusCode, 200, res.body)
  t.match(res.json(), { user: { id: first.id, displayName: 'Алиса Смирнова', email: 'alice.smirnova@corp.example', role: 'member' } })
  t.equal(await app.usersRepository.count(), 1, 'no second account')
  t.match((await app.auditRepository.list()).entries[0], { action: 'user.role_changed', targetId: first.id, detail: { source: 'ldap', from: 'admin', to: 'member' } })
})

t.test('someone moved to another OU and renamed keeps their account', async (t) => {
  const app = await build(t, { set: ldap(), license: SSO })
  const first = (await signIn(app, 'bob', 'bob password')).json<{ user: { id: UserId } }>().user
  const sales = `ou=sales,${PEOPLE}`
  const moved = `cn=Bob Stroitel,${sales}`
  server.modify(
    `dn: ${sales}\nchangetype: add\nobjectClass: organizationalUnit\nou: sales\n\n` +
      `dn: ${personDn(person('bob'))}\nchangetype: modrdn\nnewrdn: cn=Bob Stroitel\ndeleteoldrdn: 1\nnewsuperior: ${sales}\n`,
  )
  t.teardown(() =>
    server.modify(
      `dn: ${moved}\nchangetype: modrdn\nnewrdn: cn=Bob Builder\ndeleteoldrdn: 1\nnewsuperior: ${PEOPLE}\n\n` +
        `dn: ${sales}\nchangetype: delete\n`,
    ),
  )
  const res = await signIn(app, 'bob', 'bob password')
  t.equal(res.statusCode, 200, res.body)
  t.match(res.json(), { user: { id: first.id, displayName: 'Bob Stroitel' } }, 'the same account, the new name')
  t.equal(await app.usersRepository.count(), 1, 'no second account, no e-mail conflict')
})

t.test('an account keyed by its DN (made before entry UUIDs were read) moves to the UUID at the next sign-in', async (t) => {
  const app = await build(t, { set: ldap(), license: SSO })
  const dn = personDn(person('bob'))
  const old = await app.usersRepository.createExternal({ source: 'ldap', externalId: dn, email: 'bob@corp.example', displayName: 'Bob', role: 'member' })
  const res = await signIn(app, 'bob', 'bob password')
  t.equal(res.statusCode, 200, res.body)
  t.match(res.json(), { user: { id: old.id } })
  t.match(await app.usersRepository.findExternal('ldap', `entryuuid:${server.entryUuid(dn)}`), { id: old.id })
  t.equal(await app.usersRepository.findExternal('ldap', dn), undefined, 'the DN key is gone')
  t.equal(await app.usersRepository.count(), 1)
})

t.test('wrong password and unknown login: the same 401 as a local wrong password', async (t) => {
  const app = await build(t, { set: ldap(), license: SSO })
  const wrong = await signIn(app, 'alice', 'not her password')
  t.equal(wrong.statusCode, 401)
  t.same(wrong.json(), { error: { code: 'invalid_credentials', message: 'wrong e-mail or password' } })
  const unknown = await signIn(app, 'mallory', 'whatever')
  t.same(unknown.json(), wrong.json())
  t.equal(unknown.statusCode, 401)
  t.equal(await app.usersRepository.count(), 0)
})

t.test('an empty password never reaches the directory', async (t) => {
  const app = await build(t, { set: ldap(), license: SSO })
  const res = await signIn(app, 'alice', '')
  t.equal(res.statusCode, 400, 'refused by the request schema')
  t.equal(await app.usersRepository.count(), 0)
  t.equal(await app.ldapDirectory!.authenticate('alice', ''), null, 'and by the directory client itself')
})

t.test('filter syntax in the login is a wrong login, never someone else', async (t) => {
  const app = await build(t, { set: [...ldap(), 'limits.signInFailuresPerAddress=1000', 'limits.perAddressPerMinute=100000'], license: SSO })
  for (const login of ['*', 'admin)(|(uid=*', '*)(uid=*))(|(uid=*', 'alice)(uid=*', 'a\\', '\\2a', 'alice\0', '*@corp.example']) {
    for (const password of ['alice password', 'bob password']) {
      const res = await signIn(app, login, password)
      t.equal(res.statusCode, 401, `${JSON.stringify(login)} ${password}`)
    }
  }
  t.equal(await app.usersRepository.count(), 0, 'nobody was signed in')
  t.match((await signIn(app, 'a(b)c\\d*', 'tricky password')).json(), { user: { email: 'tricky@corp.example' } }, 'the exact odd login works')
})

t.test('ldap.requiredGroups: others are told they are not allowed, and no account is made', async (t) => {
  const app = await build(t, { set: ldap([`ldap.requiredGroups=${JSON.stringify([USERS_GROUP])}`]), license: SSO })
  const carol = await signIn(app, 'carol', 'carol password')
  t.equal(carol.statusCode, 403)
  t.match(carol.json(), { error: { code: 'not_permitted', message: /not in a group allowed to use Veche/ } })
  t.equal(await app.usersRepository.count(), 0)
  t.equal((await signIn(app, 'carol', 'wrong')).statusCode, 401, 'a wrong password tells nothing about groups')
  t.equal((await signIn(app, 'bob', 'bob password')).statusCode, 200)
})

t.test('directory down: 503 with a clear message, the log names the problem; back up: works again', async (t) => {
  const { app, log } = await buildLogged(t, ldap())
  await server.stop()
  t.teardown(() => server.start())
  const res = await signIn(app, 'alice', 'alice password')
  t.equal(res.statusCode, 503)
  t.match(res.json(), { error: { code: 'directory_unavailable', message: /company directory \(LDAP\) cannot check passwords right now/ } })
  t.match(
    log().find((l) => l.msg?.toString().startsWith('LDAP sign-in failed')),
    { level: 50, problem: 'unreachable', msg: `LDAP sign-in failed: cannot reach the directory at ${server.url}: connect ECONNREFUSED ${server.url.slice(7)}; check ldap.url and the network` },
  )
  await server.start()
  t.equal((await signIn(app, 'alice', 'alice password')).statusCode, 200)
})

t.test('ldaps:// with the corporate CA signs in; the wrong CA is a 503 whose log says to set ldap.caFile', async (t) => {
  const app = await build(t, { set: ldap([`ldap.url=${server.ldapsUrl}`, `ldap.caFile=${server.caFile}`]), license: SSO })
  t.equal((await signIn(app, 'alice', 'alice password')).statusCode, 200)
  const wrong = await buildLogged(t, ldap([`ldap.url=${server.ldapsUrl}`, `ldap.caFile=${server.otherCaFile}`]))
  const res = await signIn(wrong.app, 'alice', 'alice password')
  t.equal(res.statusCode, 503)
  t.match(wrong.log().find((l) => l.problem === 'tls'), { msg: /not trusted .*set ldap.caFile/ })
})

t.test('StartTLS signs in', async (t) => {
  const app = await build(t, { set: ldap(['ldap.startTls=true', `ldap.caFile=${server.caFile}`]), license: SSO })
  t.match((await signIn(app, 'bob', 'bob password')).json(), { user: { email: 'bob@corp.example' } })
})

t.test('without sso in the license: 403, and the directory is not asked', async (t) => {
  const app = await build(t, { set: ldap([`ldap.url=ldap://127.0.0.1:${await freePort()}`]) })
  const res = await signIn(app, 'alice', 'alice password')
  t.equal(res.statusCode, 403)
  t.match(res.json(), { error: { code: 'feature_unlicensed', message: /license does not include sso/ } })
})

t.test('local accounts keep working beside the directory, even when it is down', async (t) => {
  const app = await build(t, { set: ldap([`ldap.url=ldap://127.0.0.1:${await freePort()}`]), license: SSO })
  const ownerCookie = await createOwner(app)
  t.equal((await signIn(app, OWNER.email, OWNER.password)).statusCode, 200, 'the owner signs in')
  t.equal((await signIn(app, OWNER.email, 'wrong')).statusCode, 401, 'a wrong local password is not handed to the directory')
  await createMember(app, ownerCookie, 'bob@corp.example', 'Local Bob')
  t.equal((await signIn(app, 'bob@corp.example', 'bob password')).statusCode, 401, "the directory's password does not open a local account")
})

t.test("a local account's e-mail is never linked to a directory entry", async (t) => {
  const app = await build(t, { set: ldap(), license: SSO })
  await createOwner(app)
  const res = await signIn(app, 'olga', 'olga password')
  t.equal(res.statusCode, 409)
  t.match(res.json(), { error: { code: 'email_taken_local', message: /a local account already uses owner@corp.example: an administrator must delete or rename it/ } })
  t.equal(await app.usersRepository.count(), 1)
  t.equal(await app.usersRepository.findExternal('ldap', `entryuuid:${server.entryUuid(personDn(person('olga')))}`), undefined)
})

t.test('blocked directory users are refused', async (t) => {
  const app = await build(t, { set: ldap(), license: SSO })
  const { user } = (await signIn(app, 'bob', 'bob password')).json<{ user: { id: UserId } }>()
  await app.usersRepository.setBlocked(user.id, true)
  const res = await signIn(app, 'bob', 'bob password')
  t.equal(res.statusCode, 403)
  t.same(res.json(), { error: { code: 'blocked', message: 'your account is blocked; ask an administrator' } })
  t.equal((await signIn(app, 'bob', 'wrong')).statusCode, 401, 'only someone with the password learns of the block')
})

t.test("the license's user limit holds for directory users", async (t) => {
  const app = await build(t, { set: ldap(), license: { ...SSO, limits: { rooms: 10, participantsPerRoom: 10, internalUsers: 1 } } })
  await createOwner(app)
  const res = await signIn(app, 'bob', 'bob password')
  t.equal(res.statusCode, 403)
  t.match(res.json(), { error: { code: 'user_limit' } })
  t.equal(await app.usersRepository.count(), 1)
})

t.test('the last owner is not demoted by the directory', async (t) => {
  const app = await build(t, { set: ldap(), license: SSO })
  const { user } = (await signIn(app, 'dave', 'dave password')).json<{ user: { id: UserId; role: string } }>()
  t.equal(user.role, 'owner')
  server.modify(`dn: ${OWNERS_GROUP}\nchangetype: modify\ndelete: member\nmember: ${personDn(person('dave'))}\n`)
  t.teardown(() => server.modify(`dn: ${OWNERS_GROUP}\nchangetype: modify\nadd: member\nmember: ${personDn(person('dave'))}\n`))
  t.match((await signIn(app, 'dave', 'dave password')).json(), { user: { id: user.id, role: 'owner' } })
  // With another owner present the directory's word holds.
  const other = await app.usersRepository.create({ email: 'second@corp.example', displayName: 'Second', role: 'owner', passwordHash: '' })
  t.ok(other)
  t.match((await signIn(app, 'dave', 'dave password')).json(), { user: { id: user.id, role: 'member' } })
})

t.test('an entry without e-mail gets a clear refusal', async (t) => {
  const app = await build(t, { set: ldap(), license: SSO })
  const res = await signIn(app, 'nomail', 'nomail password')
  t.equal(res.statusCode, 403)
  t.match(res.json(), { error: { code: 'directory_no_email', message: /no e-mail address/ } })
})

t.test('a directory user cannot sign in locally once LDAP is turned off', async (t) => {
  const app = await build(t, { license: SSO })
  await app.usersRepository.createExternal({ source: 'ldap', externalId: personDn(person('bob')), email: 'bob@corp.example', displayName: 'Bob', role: 'member' })
  t.equal(app.ldapDirectory, null)
  t.equal((await signIn(app, 'bob@corp.example', 'bob password')).statusCode, 401)
})
