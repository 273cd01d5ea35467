// The audit log on a real SQLite file: recording, newest-first pages, anonymising a deleted user, retention.
import t, { type Test } from 'tap'
import { join } from 'node:path'
import { createAuditRepository, SYSTEM_ACTOR } from '../../../server/db/audit-repository.ts'
import { openDatabase } from '../../../server/db/database.ts'
import type { UserId } from '../../../server/db/users-repository.ts'
import { tempDir } from '../../helper.ts'

function open(t: Test) {
  const db = openDatabase(join(tempDir(t), 'veche.db'))
  t.teardown(() => db.close())
  return createAuditRepository(db)
}

const olga = { id: 'aaaaaaaa-1111-4111-8111-111111111111' as UserId, displayName: 'Ольга' }
const boris = { id: 'bbbbbbbb-2222-4222-8222-222222222222' as UserId, displayName: 'Борис' }

t.test('entries keep who, what, whom and detail; the server acts as system', async (t) => {
  const audit = open(t)
  audit.record(olga, 'user.role_changed', { id: boris.id, name: boris.displayName }, { from: 'member', to: 'admin' }, 1000)
  audit.record(SYSTEM_ACTOR, 'audit.purged', undefined, {}, 2000)
  const { entries, next } = audit.list()
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

t.test('pages: newest first, `next` continues exactly where the page ended', async (t) => {
  const audit = open(t)
  for (let i = 1; i <= 7; i++) audit.record(olga, 'user.blocked', { id: boris.id, name: `n${i}` }, {}, i)
  const seen: string[] = []
  let before: number | undefined
  for (;;) {
    const page = audit.list({ limit: 3, ...(before === undefined ? {} : { before }) })
    seen.push(...page.entries.map((e) => e.targetName!))
    if (page.next === null) break
    before = page.next
  }
  t.same(seen, ['n7', 'n6', 'n5', 'n4', 'n3', 'n2', 'n1'])
  t.equal(audit.list({ limit: 0 }).entries.length, 1, 'a limit below 1 reads one')
  const full = audit.list({ limit: 7 })
  t.equal(full.next, full.entries.at(-1)!.id, 'a full page offers a next one even at the very end')
  t.same(audit.list({ before: full.next! }).entries, [], 'which is empty')
})

t.test('anonymise replaces a user as actor and as target, and nobody else', async (t) => {
  const audit = open(t)
  audit.record(olga, 'user.created', { id: boris.id, name: boris.displayName })
  audit.record(boris, 'user.created', { id: 'c', name: 'Кирилл' })
  audit.record(olga, 'user.blocked', { id: 'c', name: 'Кирилл' })
  audit.anonymise(boris.id, 'deleted user #bbbbbbbb')
  const names = audit.list().entries.map((e) => [e.actorName, e.targetName])
  t.same(names, [
    ['Ольга', 'Кирилл'],
    ['deleted user #bbbbbbbb', 'Кирилл'],
    ['Ольга', 'deleted user #bbbbbbbb'],
  ])
})

t.test('purgeBefore deletes older entries only', async (t) => {
  const audit = open(t)
  audit.record(olga, 'a', undefined, {}, 100)
  audit.record(olga, 'b', undefined, {}, 200)
  audit.record(olga, 'c', undefined, {}, 300)
  t.equal(audit.purgeBefore(250), 2)
  t.same(audit.list().entries.map((e) => e.action), ['c'])
})
