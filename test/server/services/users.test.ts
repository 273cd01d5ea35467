// The users service on both engines: each account change decides and writes in one transaction
// (audit entry included), ends sessions where it must, refuses what the rules refuse, and leaves
// nothing half done when a statement fails.
import t from 'tap'
import { createAuditRepository } from '../../../server/db/audit-repository.ts'
import type { DataLayer } from '../../../server/db/engine.ts'
import { createInvitationsRepository } from '../../../server/db/invitations-repository.ts'
import { createMeetingHistoryRepository } from '../../../server/db/meeting-history-repository.ts'
import { createRecordingsRepository } from '../../../server/db/recordings-repository.ts'
import { createRoomsRepository } from '../../../server/db/rooms-repository.ts'
import { createSessionsRepository } from '../../../server/db/sessions-repository.ts'
import { createUsersRepository, type Role, type User } from '../../../server/db/users-repository.ts'
import type { LicenseState } from '../../../server/license/evaluate.ts'
import { anonymousLabel } from '../../../server/privacy/erase-user.ts'
import {
  blockUser,
  changeRole,
  createFirstOwner,
  createUser,
  deleteUser,
  refused,
  resetPassword,
  unblockUser,
  unlockUser,
  type Actor,
} from '../../../server/services/users.ts'
import { eachEngine } from '../../engines.ts'

const CONSOLE: Actor = { id: null, displayName: 'cli' }

async function workspace(layer: DataLayer) {
  const users = createUsersRepository(layer)
  const add = (name: string, role: Role): Promise<User> => users.create({ email: `${name}@corp.example`, displayName: name, role, passwordHash: 'scrypt$old' })
  return { users, sessions: createSessionsRepository(layer), audit: createAuditRepository(layer), owner: await add('olga', 'owner'), admin: await add('anna', 'admin'), member: await add('boris', 'member') }
}

const actions = async (layer: DataLayer): Promise<string[]> => (await createAuditRepository(layer).list()).entries.map((e) => e.action).reverse()

eachEngine(t, 'blocking ends every session and is audited; unblocking lets the user back', async (t, layer) => {
  const w = await workspace(layer)
  await w.sessions.create(w.member.id, 60_000)
  const { token } = await w.sessions.create(w.member.id, 60_000)
  const blocked = await blockUser({ dataLayer: layer }, w.admin, w.member.id, 4242)
  t.match(blocked, { user: { id: w.member.id, blockedAt: 4242 }, sessions: 2, connections: 0 })
  t.equal((await w.users.get(w.member.id))!.blockedAt, 4242)
  t.equal(await w.sessions.userIdFor(token), undefined)
  t.match(await blockUser({ dataLayer: layer }, w.admin, w.member.id), { sessions: 0 }, 'blocking again changes nothing')
  t.match(await unblockUser({ dataLayer: layer }, w.admin, w.member.id), { user: { blockedAt: null } })
  t.equal((await w.users.get(w.member.id))!.blockedAt, null)
  t.same(await actions(layer), ['user.blocked', 'user.unblocked'])
})

eachEngine(t, 'the rules refuse: self, admins on admins, the last owner, unknown users', async (t, layer) => {
  const w = await workspace(layer)
  const deps = { dataLayer: layer }
  t.match(await blockUser(deps, w.admin, w.admin.id), { refused: { status: 409, code: 'self_action' } })
  t.match(await blockUser(deps, w.admin, w.owner.id), { refused: { status: 403, code: 'owner_required' } })
  t.match(await changeRole(deps, w.admin, w.member.id, 'admin'), { refused: { status: 403, code: 'owner_required' } })
  t.match(await changeRole(deps, w.owner, w.owner.id, 'admin'), { refused: { status: 409, code: 'last_owner' } })
  t.match(await deleteUser(deps, CONSOLE, w.owner.id), { refused: { code: 'last_owner' } }, 'the console acts as an owner would')
  t.match(await blockUser(deps, w.owner, 'no-such-user'), { refused: { status: 404, code: 'user_not_found' } })
  t.equal(await w.users.countActiveOwners(), 1, 'nothing changed')
  t.same(await actions(layer), [])
})

eachEngine(t, 'two owners demoting each other at once leave one owner', async (t, layer) => {
  const w = await workspace(layer)
  await changeRole({ dataLayer: layer }, w.owner, w.admin.id, 'owner')
  const anna = (await w.users.get(w.admin.id))!
  const olga = (await w.users.get(w.owner.id))!
  const outcomes = await Promise.all([
    changeRole({ dataLayer: layer }, olga, anna.id, 'member'),
    changeRole({ dataLayer: layer }, anna, olga.id, 'member'),
  ])
  t.equal(outcomes.filter((o) => refused(o)).length, 1, 'one of them is refused')
  t.match(outcomes.find((o) => refused(o)), { refused: { code: 'last_owner' } })
  t.equal(await w.users.countOwners(), 1)
})

eachEngine(t, 'a password reset stores the hash, unlocks, signs out everywhere; directory users are refused', async (t, layer) => {
  const w = await workspace(layer)
  await w.users.recordFailedSignIn(w.member.id, Date.now() + 60_000)
  const { token } = await w.sessions.create(w.member.id, 60_000)
  t.match(await resetPassword({ dataLayer: layer }, CONSOLE, w.member.id, 'scrypt$new'), { sessions: 1 })
  t.match(await w.users.signInRecord(w.member.id), { passwordHash: 'scrypt$new', failedSignIns: 0, lockedUntil: null })
  t.equal(await w.sessions.userIdFor(token), undefined)
  const vera = await w.users.createExternal({ source: 'ldap', externalId: 'uid=vera', email: 'vera@corp.example', displayName: 'Вера', role: 'member' })
  t.match(await resetPassword({ dataLayer: layer }, w.owner, vera.id, 'scrypt$x'), { refused: { code: 'directory_user' } })
  t.equal((await w.users.signInRecord(vera.id))!.passwordHash, '')
  t.match((await w.audit.list()).entries, [{ action: 'user.password_reset', actorName: 'cli', targetId: w.member.id }])
})

eachEngine(t, 'a statement that fails rolls the whole change back', async (t, layer) => {
  const w = await workspace(layer)
  const { token } = await w.sessions.create(w.member.id, 60_000)
  // Without the audit table the change cannot record itself, and so must not happen at all.
  await layer.db.schema.dropTable('audit_log').execute()
  await t.rejects(resetPassword({ dataLayer: layer }, w.owner, w.member.id, 'scrypt$new'))
  t.equal((await w.users.signInRecord(w.member.id))!.passwordHash, 'scrypt$old', 'the password is unchanged')
  t.equal(await w.sessions.userIdFor(token), w.member.id, 'the session stays')
  await t.rejects(blockUser({ dataLayer: layer }, w.owner, w.member.id))
  t.equal((await w.users.get(w.member.id))!.blockedAt, null, 'not blocked')
  t.equal(await w.sessions.userIdFor(token), w.member.id)
})

eachEngine(t, 'unlocking clears failures and the lock, audited only when there was something', async (t, layer) => {
  const w = await workspace(layer)
  await w.users.recordFailedSignIn(w.member.id, null)
  t.match(await unlockUser({ dataLayer: layer }, CONSOLE, w.member.id), { failedSignIns: 1, locked: false })
  t.match(await unlockUser({ dataLayer: layer }, CONSOLE, w.member.id), { failedSignIns: 0, locked: false })
  await w.users.lockAfterFailures(w.member.id, Date.now() + 60_000)
  t.match(await unlockUser({ dataLayer: layer }, CONSOLE, w.member.id), { failedSignIns: 0, locked: true })
  t.match(await w.users.signInRecord(w.member.id), { failedSignIns: 0, lockedUntil: null })
  t.same(await actions(layer), ['user.unlocked', 'user.unlocked'])
})

eachEngine(t, 'adding users stays within the license; a taken e-mail is refused', async (t, layer) => {
  const w = await workspace(layer)
  const licensed = (internalUsers: number) => ({ status: 'active', claims: { limits: { internalUsers } } }) as unknown as LicenseState
  const input = { email: 'egor@corp.example', displayName: 'Егор', role: 'member' as const, passwordHash: 'scrypt$e' }
  t.match(await createUser({ dataLayer: layer }, w.owner, licensed(3), input), { refused: { status: 403, code: 'user_limit' } })
  t.match(await createUser({ dataLayer: layer }, w.owner, licensed(4), input), { user: { email: 'egor@corp.example' } })
  t.match(await createUser({ dataLayer: layer }, w.owner, licensed(10), { ...input, email: 'EGOR@corp.example' }), { refused: { status: 409, code: 'email_taken' } })
  t.equal(await w.users.count(), 4)
  t.same(await actions(layer), ['user.created'])
})

eachEngine(t, 'the first owner is created once', async (t, layer) => {
  const first = await createFirstOwner({ dataLayer: layer }, { email: 'olga@corp.example', displayName: 'Ольга', passwordHash: 'scrypt$o' })
  t.match(first, { role: 'owner' })
  t.equal(await createFirstOwner({ dataLayer: layer }, { email: 'ivan@corp.example', displayName: 'Иван', passwordHash: 'scrypt$i' }), undefined)
  t.equal(await createUsersRepository(layer).count(), 1)
})

eachEngine(t, 'deleting a user anonymises them everywhere and takes sessions and rooms along', async (t, layer) => {
  const w = await workspace(layer)
  const boris = w.member
  const room = await createRoomsRepository(layer).create(boris.id, 'Планёрка')
  await w.sessions.create(boris.id, 60_000)
  await w.audit.record(boris, 'room.created', { id: room.id, name: 'Планёрка' })
  await w.audit.record(w.owner, 'user.role_changed', { id: boris.id, name: boris.displayName })
  const history = createMeetingHistoryRepository(layer)
  const meeting = await history.startMeeting({ roomId: room.id, roomTitle: 'Планёрка', startedAt: 1 })
  const stay = await history.addParticipant({ meetingId: meeting, userId: boris.id, displayName: 'boris', kind: 'internal', joinedAt: 1, userAgent: 'UA', browser: 'B', os: 'O', ip: '10.0.0.1', viaProxy: false, forwardedFor: null })
  await history.addChat({ meetingId: meeting, participantId: stay, senderName: 'boris', text: 'привет', sentAt: 2 })
  await createInvitationsRepository(layer).record({ roomId: room.id, senderId: boris.id, senderName: 'boris', scheduledAt: null, createdAt: 3, outcomes: [{ recipient: 'x@example.org', status: 'refused', reason: 'test' }] })
  await createRecordingsRepository(layer).create({ roomId: room.id, roomTitle: 'Планёрка', roomOwnerId: boris.id, startedBy: boris.id, startedByName: 'boris', startedAt: 4 })

  t.same(await deleteUser({ dataLayer: layer }, w.owner, boris.id), { user: boris })
  const label = anonymousLabel(boris.id)
  t.equal(await w.users.get(boris.id), undefined)
  t.equal(await layer.db.selectFrom('sessions').select('token_hash').where('user_id', '=', boris.id).executeTakeFirst(), undefined)
  t.equal(await createRoomsRepository(layer).get(room.id), undefined, 'their rooms go')
  const entries = (await w.audit.list()).entries
  t.match(entries[0], { action: 'user.deleted', actorName: 'olga', targetName: label, detail: { role: 'member', rooms: 1 } })
  t.notOk(JSON.stringify(entries).includes('"boris"'), 'no audit entry names them')
  t.match(await layer.db.selectFrom('meeting_participants').selectAll().executeTakeFirst(), { display_name: label, user_agent: null, ip: null })
  t.match(await layer.db.selectFrom('meeting_chat').selectAll().executeTakeFirst(), { sender_name: label, text: 'привет' })
  t.match(await layer.db.selectFrom('invitations').selectAll().executeTakeFirst(), { sender_name: label })
  t.match(await layer.db.selectFrom('recordings').selectAll().executeTakeFirst(), { started_by_name: label })
  t.match(await deleteUser({ dataLayer: layer }, w.owner, boris.id), { refused: { status: 404 } })
})
