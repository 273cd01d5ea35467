// The rooms table on both engines: creating (title trimmed, lobby off, no PIN), an owner's rooms
// newest first, moderation settings, deleting, and rooms going with their owner.
import t from 'tap'
import { createRoomsRepository } from '../../../server/db/rooms-repository.ts'
import type { UserId } from '../../../server/db/users-repository.ts'
import { eachEngine, seedMembers } from '../../engines.ts'

const anna = 'anna' as UserId
const boris = 'boris' as UserId

eachEngine(t, 'a room is created, listed by its owner, moderated and deleted', async (t, layer) => {
  await seedMembers(layer, [anna, boris])
  const rooms = createRoomsRepository(layer)
  const first = await rooms.create(anna, '  Планёрка ')
  t.match(first, { title: 'Планёрка', ownerId: anna, lobby: 'off', pinHash: null })
  t.match(first.id, /^[A-Za-z0-9_-]{22}$/, 'the id is 128 random bits, URL-safe')
  await layer.db.updateTable('rooms').set({ created_at: 1 }).where('id', '=', first.id).execute()
  const second = await rooms.create(anna, 'Ретро')
  await rooms.create(boris, 'Чужая')
  t.same((await rooms.listByOwner(anna)).map((r) => r.id), [second.id, first.id], 'newest first, hers only')

  t.equal(await rooms.setModeration(first.id, 'guests', 'scrypt$hash'), true)
  t.match(await rooms.get(first.id), { lobby: 'guests', pinHash: 'scrypt$hash' })
  t.equal(await rooms.setModeration(first.id, 'everyone', null), true)
  t.match(await rooms.get(first.id), { lobby: 'everyone', pinHash: null })

  t.equal(await rooms.delete(first.id), true)
  t.equal(await rooms.get(first.id), undefined)
  t.equal(await rooms.delete(first.id), false, 'deleting twice deletes nothing')
  t.equal(await rooms.setModeration(first.id, 'off', null), false, 'a deleted room has no settings to change')
})

eachEngine(t, "deleting a user takes their rooms along, nobody else's", async (t, layer) => {
  await seedMembers(layer, [anna, boris])
  const rooms = createRoomsRepository(layer)
  const hers = await rooms.create(anna, 'Планёрка')
  const his = await rooms.create(boris, 'Ретро')
  await layer.db.deleteFrom('users').where('id', '=', anna).execute()
  t.equal(await rooms.get(hers.id), undefined)
  t.ok(await rooms.get(his.id))
})
