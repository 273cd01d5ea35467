// Signed-in directory users are looked up again with a real slapd: whoever was deleted from the
// directory, disabled (Active Directory's flag) or taken out of ldap.requiredGroups is signed out and
// leaves their meetings; everyone else, and everyone when the directory is down, is left alone.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildListening, sessionCookie } from '../../helper.ts'
import { GROUPS, PEOPLE, SERVICE_DN, SERVICE_PASSWORD, USERS_GROUP, person, personDn, startLdapServer } from '../../ldap-server.ts'
import { SignalingClient } from '../../signaling-client.ts'

const server = await startLdapServer(t)
const SSO = { features: ['sso' as const] }

const ldap = (over: string[] = []): string[] => [`ldap.url=${server.url}`, `ldap.searchBase=${PEOPLE}`, 'ldap.timeoutSeconds=5', ...over]

async function signIn(app: FastifyInstance, login: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/signin', payload: { email: login, password: person(login).password } })
  if (res.statusCode !== 200) throw new Error(`${login} could not sign in: ${res.body}`)
  return sessionCookie(res)
}

const signedIn = async (app: FastifyInstance, cookie: string): Promise<boolean> =>
  (await app.inject({ url: '/api/auth/me', headers: { cookie } })).statusCode === 200

const recheck = (app: FastifyInstance) => app.recheckLdapSessions!()

t.test('taken out of ldap.requiredGroups: signed out and out of the meeting; the others stay', async (t) => {
  const { app, wss } = await buildListening(t, { set: ldap([`ldap.requiredGroups=${JSON.stringify([USERS_GROUP])}`]), license: SSO })
  const bob = await signIn(app, 'bob')
  const ivan = await signIn(app, 'иван')
  const room = (await app.inject({ method: 'POST', url: '/api/rooms', headers: { cookie: ivan }, payload: { title: 'Планёрка' } })).json().room.id as string
  const connect = async (cookie: string) => {
    const c = await SignalingClient.connect(`${wss}/api/rooms/${room}/signal`, cookie)
    t.teardown(() => c.close())
    t.ok((await c.request('join')).ok)
    return c
  }
  const bobInMeeting = await connect(bob)
  await connect(ivan)

  t.same(await recheck(app), { checked: 2, signedOut: 0, answered: true }, 'nothing changed in the directory: nobody is signed out')
  t.ok(await signedIn(app, bob))

  const membership = `dn: ${USERS_GROUP}\nchangetype: modify\n%s: member\nmember: ${personDn(person('bob'))}\n`
  server.modify(membership.replace('%s', 'delete'))
  t.teardown(() => server.modify(membership.replace('%s', 'add')))
  t.same(await recheck(app), { checked: 2, signedOut: 1, answered: true })
  t.notOk(await signedIn(app, bob), "Bob's session ended")
  t.ok(await signedIn(app, ivan), "Ivan's did not")
  await bobInMeeting.waitFor('removed')
  t.pass('Bob was taken out of the meeting')
  t.match((await app.auditRepository.list()).entries[0], {
    action: 'user.signed_out',
    actorName: 'system',
    targetName: 'Bob Builder',
    detail: { source: 'ldap', reason: 'not_permitted' },
  })
  t.same(await recheck(app), { checked: 1, signedOut: 0, answered: true }, 'a signed-out user is not asked about again')
})

t.test('deleted from the directory: signed out', async (t) => {
  const { app } = await buildListening(t, { set: ldap(), license: SSO })
  const carol = await signIn(app, 'carol')
  const bob = await signIn(app, 'bob')
  const entry = personDn(person('carol'))
  server.modify(`dn: ${entry}\nchangetype: delete\n`)
  t.same(await recheck(app), { checked: 2, signedOut: 1, answered: true })
  t.notOk(await signedIn(app, carol))
  t.ok(await signedIn(app, bob))
  t.match((await app.auditRepository.list()).entries[0], { action: 'user.signed_out', detail: { reason: 'gone' } })
})

t.test('someone ldap.userFilter no longer admits (for any login) is signed out like someone deleted', async (t) => {
  // As Active Directory sites write it: (!(userAccountControl:1.2.840.113556.1.4.803:=2)); here a plain attribute.
  const { app } = await buildListening(t, { set: ldap(['ldap.userFilter=(&(uid={login})(!(description=left)))']), license: SSO })
  const bob = await signIn(app, 'bob')
  const ivan = await signIn(app, 'иван')
  const mark = `dn: ${personDn(person('bob'))}\nchangetype: modify\n%s: description\ndescription: left\n`
  server.modify(mark.replace('%s', 'add'))
  t.teardown(() => server.modify(mark.replace('%s', 'delete')))
  t.same(await recheck(app), { checked: 2, signedOut: 1, answered: true })
  t.notOk(await signedIn(app, bob))
  t.ok(await signedIn(app, ivan))
})

t.test('an Active Directory account is found by its binary objectGUID, and signed out once disabled', async (t) => {
  const { app } = await buildListening(t, { set: ldap(), license: SSO })
  const anna = await signIn(app, 'anna')
  t.ok(await app.usersRepository.findExternal('ldap', 'objectguid:33221100-5544-7766-8899-aabbccddeeff'), "keyed by the GUID as AD's tools write it")
  t.same(await recheck(app), { checked: 1, signedOut: 0, answered: true }, 'found again by the GUID bytes')
  const flags = `dn: ${personDn(person('anna'))}\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: %s\n`
  server.modify(flags.replace('%s', '514')) // 512 + ACCOUNTDISABLE
  t.teardown(() => server.modify(flags.replace('%s', '512')))
  t.same(await recheck(app), { checked: 1, signedOut: 1, answered: true })
  t.notOk(await signedIn(app, anna))
  t.match((await app.auditRepository.list()).entries[0], { action: 'user.signed_out', targetName: 'Anna', detail: { reason: 'disabled' } })
})

t.test('the directory down: nobody is signed out', async (t) => {
  const { app } = await buildListening(t, { set: ldap(), license: SSO })
  const bob = await signIn(app, 'bob')
  await server.stop()
  t.teardown(() => server.start())
  t.same(await recheck(app), { checked: 0, signedOut: 0, answered: false })
  t.ok(await signedIn(app, bob))
})

t.test('groups found by a group search are re-checked only with a service account, as sign-in found them', async (t) => {
  const groupSearch = [`ldap.groupSearchBase=${GROUPS}`, 'ldap.groupAttribute=', `ldap.requiredGroups=${JSON.stringify([USERS_GROUP])}`]
  const anonymous = (await buildListening(t, { set: ldap(groupSearch), license: SSO })).app
  const withService = (await buildListening(t, { set: ldap([...groupSearch, `ldap.bindDn=${SERVICE_DN}`, `ldap.bindPassword=${SERVICE_PASSWORD}`]), license: SSO })).app
  const cookies = [await signIn(anonymous, 'bob'), await signIn(withService, 'bob')]
  const membership = `dn: ${USERS_GROUP}\nchangetype: modify\n%s: member\nmember: ${personDn(person('bob'))}\n`
  server.modify(membership.replace('%s', 'delete'))
  t.teardown(() => server.modify(membership.replace('%s', 'add')))
  // Without one, sign-in searched groups bound as Bob: an anonymous search cannot stand in for that.
  t.same(await recheck(anonymous), { checked: 1, signedOut: 0, answered: true }, 'groups unknown: Bob stays')
  t.ok(await signedIn(anonymous, cookies[0]!))
  t.same(await recheck(withService), { checked: 1, signedOut: 1, answered: true }, 'the service account sees Bob left the group')
  t.notOk(await signedIn(withService, cookies[1]!))
})

t.test('a directory that finds none of several signed-in users signs nobody out', async (t) => {
  const { app } = await buildListening(t, { set: ldap(), license: SSO })
  const cookies: string[] = []
  for (const n of [1, 2, 3]) {
    // As if ldap.searchBase had been changed to where nobody is: their UUIDs are found nowhere.
    const user = await app.usersRepository.createExternal({ source: 'ldap', externalId: `entryuuid:00000000-0000-0000-0000-00000000000${n}`, email: `u${n}@corp.example`, displayName: `U${n}`, role: 'member' })
    cookies.push(`veche_session=${(await app.sessionsRepository.create(user.id, 60_000)).token}`)
  }
  t.same(await recheck(app), { checked: 3, signedOut: 0, answered: false })
  for (const cookie of cookies) t.ok(await signedIn(app, cookie))
})

t.test('a large workspace is asked in batches, one connection each, and every answer counts', async (t) => {
  const { app } = await buildListening(t, { set: ldap(), license: SSO })
  const bob = await signIn(app, 'bob')
  for (let n = 0; n < 120; n++) {
    const user = await app.usersRepository.createExternal({ source: 'ldap', externalId: `entryuuid:00000000-0000-0000-0000-${String(n).padStart(12, '0')}`, email: `left${n}@corp.example`, displayName: `Left ${n}`, role: 'member' })
    await app.sessionsRepository.create(user.id, 60_000)
  }
  t.same(await recheck(app), { checked: 121, signedOut: 120, answered: true }, 'those who left, in every batch, are signed out')
  t.ok(await signedIn(app, bob), 'Bob, whom the directory still has, stays')
})

t.test('LDAP off: nothing to check', async (t) => {
  const { app } = await buildListening(t, { license: SSO })
  t.equal(app.recheckLdapSessions, null)
})
