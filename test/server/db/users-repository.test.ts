// The users table on both engines: local and directory accounts, e-mail unique in any letter case,
// failed sign-ins and locks, blocking, owners counted, signed-in directory users, deleting.
import t from 'tap'
import { createSessionsRepository } from '../../../server/db/sessions-repository.ts'
import { createUsersRepository, EmailTakenError } from '../../../server/db/users-repository.ts'
import { eachEngine } from '../../engines.ts'

const local = (email: string, role: 'owner' | 'admin' | 'member' = 'member') => ({ email, displayName: email.split('@')[0]!, role, passwordHash: 'scrypt$x' })

eachEngine(t, 'a local user is created, found by id and by e-mail in any case, and listed', async (t, layer) => {
  const users = createUsersRepository(layer)
  const anna = await users.create({ email: ' Anna@Corp.example ', displayName: ' Анна ', role: 'owner', passwordHash: 'scrypt$a' })
  t.match(anna, { email: 'Anna@Corp.example', displayName: 'Анна', role: 'owner', authSource: 'local', blockedAt: null })
  t.same(await users.get(anna.id), anna, 'what create returned is what is stored')
  t.match(await users.findForSignIn('anna@corp.EXAMPLE '), { user: { id: anna.id }, passwordHash: 'scrypt$a', failedSignIns: 0, lockedUntil: null })
  t.equal(await users.findForSignIn('nobody@corp.example'), undefined)
  t.equal(await users.get('no such id'), undefined)
  await t.rejects(users.create(local('ANNA@corp.example')), EmailTakenError, 'the e-mail is taken in any letter case')
  const boris = await users.create(local('boris@corp.example'))
  t.same((await users.list()).map((u) => u.id).sort(), [anna.id, boris.id].sort())
  t.equal(await users.count(), 2)
  t.equal(await users.hasOwner(), true)
  t.equal(await users.countOwners(), 1)
})

eachEngine(t, 'roles, passwords, blocking and owners who can still sign in', async (t, layer) => {
  const users = createUsersRepository(layer)
  const anna = await users.create(local('anna@corp.example', 'owner'))
  const boris = await users.create(local('boris@corp.example'))
  t.equal(await users.hasOwner(), true)
  t.equal(await users.setRole(boris.id, 'owner'), true)
  t.equal(await users.countActiveOwners(), 2)
  t.equal(await users.setBlocked(anna.id, true, 1234), true)
  t.equal((await users.get(anna.id))!.blockedAt, 1234)
  t.equal(await users.countOwners(), 2, 'a blocked owner is still an owner')
  t.equal(await users.countActiveOwners(), 1, 'but cannot sign in')
  t.equal(await users.setBlocked(anna.id, false), true)
  t.equal((await users.get(anna.id))!.blockedAt, null)
  t.equal(await users.setPasswordHash(boris.id, 'scrypt$new'), true)
  t.equal((await users.signInRecord(boris.id))!.passwordHash, 'scrypt$new')
  t.equal(await users.setRole('nobody' as never, 'admin'), false, 'nothing to change for an unknown id')
})

eachEngine(t, 'failed sign-ins count up, lock, start over and clear', async (t, layer) => {
  const users = createUsersRepository(layer)
  const boris = await users.create(local('boris@corp.example'))
  await users.recordFailedSignIn(boris.id, null)
  await users.recordFailedSignIn(boris.id, null)
  t.match(await users.signInRecord(boris.id), { failedSignIns: 2, lockedUntil: null })
  await users.lockAfterFailures(boris.id, 5000)
  t.match(await users.signInRecord(boris.id), { failedSignIns: 0, lockedUntil: 5000 }, 'locked; the count starts over for after the lock')
  await users.recordFailedSignIn(boris.id, 9000)
  t.match(await users.signInRecord(boris.id), { failedSignIns: 1, lockedUntil: 9000 })
  await users.clearFailedSignIns(boris.id)
  t.match(await users.signInRecord(boris.id), { failedSignIns: 0, lockedUntil: null })
})

eachEngine(t, 'directory users: found by their id, re-keyed, refreshed, listed while signed in', async (t, layer) => {
  const users = createUsersRepository(layer)
  const sessions = createSessionsRepository(layer)
  const vera = await users.createExternal({ source: 'ldap', externalId: 'uid=vera,dc=corp', email: 'vera@corp.example', displayName: 'Вера', role: 'member' })
  t.match(vera, { authSource: 'ldap' })
  t.equal((await users.signInRecord(vera.id))!.passwordHash, '', 'no local password')
  t.same(await users.findExternal('ldap', 'uid=vera,dc=corp'), vera)
  t.equal(await users.findExternal('oidc', 'uid=vera,dc=corp'), undefined, 'per directory')
  const olga = await users.createExternal({ source: 'ldap', externalId: 'entryuuid:1', email: 'olga@corp.example', displayName: 'Ольга', role: 'member' })

  t.equal(await users.setExternalId(vera.id, 'entryuuid:2'), true)
  t.match(await users.findExternal('ldap', 'entryuuid:2'), { id: vera.id })
  t.equal(await users.setExternalId(vera.id, 'entryuuid:1'), false, "another account's id is refused, not thrown")
  t.match(await users.findExternal('ldap', 'entryuuid:2'), { id: vera.id }, 'and nothing changed')

  t.equal(await users.setProfile(vera.id, ' Vera.New@corp.example ', ' Вера Н. '), true)
  t.match(await users.get(vera.id), { email: 'Vera.New@corp.example', displayName: 'Вера Н.' })
  await t.rejects(users.setProfile(vera.id, 'OLGA@corp.example', 'Вера'), EmailTakenError)

  t.same(await users.signedInFrom('ldap', 1000), [], 'nobody has a session yet')
  await sessions.create(vera.id, 60_000)
  await sessions.create(olga.id, 60_000)
  await users.create(local('local@corp.example'))
  t.same((await users.signedInFrom('ldap')).map((u) => u.externalId).sort(), ['entryuuid:1', 'entryuuid:2'])
  await users.setBlocked(olga.id, true)
  t.same(await users.signedInFrom('ldap'), [{ id: vera.id, externalId: 'entryuuid:2', displayName: 'Вера Н.' }], 'blocked users are not rechecked')
  t.same(await users.signedInFrom('ldap', Date.now() + 120_000), [], 'expired sessions do not count')
})

eachEngine(t, 'deleting a user takes their sessions along', async (t, layer) => {
  const users = createUsersRepository(layer)
  const sessions = createSessionsRepository(layer)
  const boris = await users.create(local('boris@corp.example'))
  const { token } = await sessions.create(boris.id, 60_000)
  t.equal(await users.delete(boris.id), true)
  t.equal(await users.delete(boris.id), false)
  t.equal(await sessions.userIdFor(token), undefined)
  t.equal(await users.count(), 0)
})
