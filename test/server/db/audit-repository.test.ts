// The audit log on both engines: recording, newest-first pages, anonymising a deleted user, retention.
import t from 'tap'
import { createAuditRepository, SYSTEM_ACTOR } from '../../../server/db/audit-repository.ts'
import type { UserId } from '../../../server/db/users-repository.ts'
import { eachEngine } from '../../engines.ts'

const olga = { id: 'aaaaaaaa-1111-4111-8111-111111111111' as UserId, displayName: 'Ольга' }
const boris = { id: 'bbbbbbbb-2222-4222-8222-222222222222' as UserId, displayName: 'Борис' }

eachEngine(t, 'entries keep who, what, whom and detail; the server acts as system', async (t, layer) => {
  const audit = createAuditRepository(layer)
  await audit.record(olga, 'user.role_changed', { id: boris.id, name: boris.displayName }, { from: 'member', to: 'admin' }, 1000)
  await audit.record(SYSTEM_ACTOR, 'audit.purged', undefined, {}, 2000)
  const { entries, next } = await audit.list()
  t.same(entries.map((e) => ({ ...e, id: 0 })), [
    { id: 0, at: 2000, actorId: null, actorName: 'system', action: 'audit.purged', targetId: null, targetName: null, detail: {} },
    {
      id: 0,
      at: 1000,
      actorId: olga.id,
      actorName: 'Ольга',
      action: 'user.role_changed',
      targetId: boris.id,
      targetName: 'Борис',
      detail: { from: 'member', to: 'admin' },
    },
  ])
  t.equal(next, null)
})

eachEngine(t, 'pages: newest first, `next` continues exactly where the page ended', async (t, layer) => {
  const audit = createAuditRepository(layer)
  for (let i = 1; i <= 7; i++) await audit.record(olga, 'user.blocked', { id: boris.id, name: `n${i}` }, {}, i)
  const seen: string[] = []
  let before: number | undefined
  for (;;) {
    const page = await audit.list({ limit: 3, ...(before === undefined ? {} : { before }) })
    seen.push(...page.entries.map((e) => e.targetName!))
    if (page.next === null) break
    before = page.next
  }
  t.same(seen, ['n7', 'n6', 'n5', 'n4', 'n3', 'n2', 'n1'])
  t.equal((await audit.list({ limit: 0 })).entries.length, 1, 'a limit below 1 reads one')
  const full = await audit.list({ limit: 7 })
  t.equal(full.next, full.entries.at(-1)!.id, 'a full page offers a next one even at the very end')
  t.same((await audit.list({ before: full.next! })).entries, [], 'which is empty')
})

eachEngine(t, 'anonymise replaces a user as actor and as target, and nobody else', async (t, layer) => {
  const audit = createAuditRepository(layer)
  await audit.record(olga, 'user.created', { id: boris.id, name: boris.displayName })
  await audit.record(boris, 'user.created', { id: 'c', name: 'Кирилл' })
  await audit.record(olga, 'user.blocked', { id: 'c', name: 'Кирилл' })
  await audit.anonymise(boris.id, 'deleted user #bbbbbbbb')
  const names = (await audit.list()).entries.map((e) => [e.actorName, e.targetName])
  t.same(names, [
    ['Ольга', 'Кирилл'],
    ['deleted user #bbbbbbbb', 'Кирилл'],
    ['Ольга', 'deleted user #bbbbbbbb'],
  ])
})

eachEngine(t, 'purgeBefore deletes older entries only', async (t, layer) => {
  const audit = createAuditRepository(layer)
  await audit.record(olga, 'a', undefined, {}, 100)
  await audit.record(olga, 'b', undefined, {}, 200)
  await audit.record(olga, 'c', undefined, {}, 300)
  t.equal(await audit.purgeBefore(250), 2)
  t.same((await audit.list()).entries.map((e) => e.action), ['c'])
})
