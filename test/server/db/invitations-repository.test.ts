// The invitations table on both engines: one row per recipient, the counts and the n-th send the
// daily limits are made of, a deleted sender's name, and retention.
import t from 'tap'
import type { DataLayer } from '../../../server/db/engine.ts'
import { createInvitationsRepository, type InvitationOutcome } from '../../../server/db/invitations-repository.ts'
import type { UserId } from '../../../server/db/users-repository.ts'
import { eachEngine, seedMembers } from '../../engines.ts'

const anna = 'anna' as UserId
const boris = 'boris' as UserId

async function users(layer: DataLayer): Promise<void> {
  await seedMembers(layer, [anna, boris])
  await layer.db.insertInto('rooms').values({ id: 'r', title: 'Планёрка', owner_id: anna, created_at: 0 }).execute()
}

const sent = (recipient: string, sentAt: number): InvitationOutcome => ({ recipient, status: 'sent', sentAt })

eachEngine(t, 'a batch is stored per recipient; only sent ones count, from `since` on', async (t, layer) => {
  await users(layer)
  const invitations = createInvitationsRepository(layer)
  await invitations.record({
    roomId: 'r', senderId: anna, senderName: 'Анна', scheduledAt: 9000, createdAt: 100,
    outcomes: [sent('a@x.example', 100), sent('b@x.example', 300), { recipient: 'c@x.example', status: 'refused', reason: 'no such mailbox' }],
  })
  await invitations.record({ roomId: 'r', senderId: boris, senderName: 'Борис', scheduledAt: null, createdAt: 200, outcomes: [sent('d@x.example', 200), { recipient: 'e@x.example', status: 'failed' }] })
  await invitations.record({ roomId: 'r', senderId: boris, senderName: 'Борис', scheduledAt: null, createdAt: 250, outcomes: [] })
  t.match(await invitations.listForRoom('r'), [
    { roomId: 'r', senderId: anna, senderName: 'Анна', recipient: 'a@x.example', createdAt: 100, scheduledAt: 9000, sentAt: 100, status: 'sent', reason: null },
    { recipient: 'b@x.example', sentAt: 300 },
    { recipient: 'c@x.example', sentAt: null, status: 'refused', reason: 'no such mailbox' },
    { recipient: 'd@x.example', senderId: boris },
    { recipient: 'e@x.example', status: 'failed', reason: null },
  ])
  t.equal((await invitations.listForSender(boris)).length, 2, 'an empty batch stores nothing')
  t.equal(await invitations.countSentSince(anna, 0), 2)
  t.equal(await invitations.countSentSince(anna, 200), 1)
  t.equal(await invitations.countSentSince(boris, 0), 1)
  t.equal(await invitations.countWorkspaceSentSince(0), 3)
  t.equal(await invitations.countWorkspaceSentSince(301), 0)
  t.equal(await invitations.nthSentSince(null, 0, 1), 100, 'the oldest send of everyone')
  t.equal(await invitations.nthSentSince(null, 0, 2), 200)
  t.equal(await invitations.nthSentSince(null, 150, 1), 200)
  t.equal(await invitations.nthSentSince(anna, 0, 2), 300, "the sender's second")
  t.equal(await invitations.nthSentSince(anna, 0, 3), undefined, 'fewer than n')
  t.equal(await invitations.nthSentSince(anna, 0, 0), 100, 'n below 1 reads the first')
})

eachEngine(t, 'a deleted sender keeps rows under a label; retention deletes by creation time', async (t, layer) => {
  await users(layer)
  const invitations = createInvitationsRepository(layer)
  await invitations.record({ roomId: 'r', senderId: anna, senderName: 'Анна', scheduledAt: null, createdAt: 100, outcomes: [sent('a@x.example', 100)] })
  await invitations.record({ roomId: 'r', senderId: boris, senderName: 'Борис', scheduledAt: null, createdAt: 200, outcomes: [sent('b@x.example', 200)] })
  await invitations.anonymiseSender(anna, 'deleted user #anna')
  t.same((await invitations.listForRoom('r')).map((i) => i.senderName), ['deleted user #anna', 'Борис'])
  t.equal(await invitations.purgeBefore(150), 1)
  t.same((await invitations.listForRoom('r')).map((i) => i.recipient), ['b@x.example'])
})
