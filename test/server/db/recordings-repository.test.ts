// The recordings table on both engines: a recording's life from start to its final row, who sees
// which, what retention and a restarted server look for, and a deleted starter's name.
import t from 'tap'
import type { DataLayer } from '../../../server/db/engine.ts'
import { createRecordingsRepository, type NewRecording } from '../../../server/db/recordings-repository.ts'
import { eachEngine, seedMembers } from '../../engines.ts'

/** users writes the accounts (and Anna's room) the recordings refer to. */
async function users(layer: DataLayer): Promise<void> {
  await seedMembers(layer, ['anna', 'boris'])
  await layer.db.insertInto('rooms').values({ id: 'r-anna', title: 'Планёрка', owner_id: 'anna', created_at: 0 }).execute()
}

const byBoris = (startedAt: number): NewRecording => ({ roomId: 'r-anna', roomTitle: 'Планёрка', roomOwnerId: 'anna', startedBy: 'boris', startedByName: 'Борис', startedAt })

eachEngine(t, 'a recording starts, finishes with its outcome, and is deleted', async (t, layer) => {
  await users(layer)
  const recordings = createRecordingsRepository(layer)
  const r = await recordings.create(byBoris(1000))
  t.match(r, { roomId: 'r-anna', roomTitle: 'Планёрка', roomOwnerId: 'anna', startedBy: 'boris', startedByName: 'Борис', startedAt: 1000, status: 'recording', endedAt: null, error: null })
  t.equal(r.file, `${r.id}.mp4`, 'files are named after the id')
  t.equal(r.chatFile, `${r.id}.chat.txt`)
  t.same((await recordings.listInProgress()).map((x) => x.id), [r.id], 'a running recording is in progress')

  const done = await recordings.finish(r.id, { status: 'partial', endedAt: 5000, durationMs: 3900, sizeBytes: 12345, error: { code: 'media_lost', message: 'the media stopped' } })
  t.match(done, { status: 'partial', endedAt: 5000, durationMs: 3900, sizeBytes: 12345, error: { code: 'media_lost', message: 'the media stopped' } })
  t.same(await recordings.listInProgress(), [], 'and no longer once finished')
  t.equal(await recordings.delete(r.id), true)
  t.equal(await recordings.get(r.id), undefined)
  t.equal(await recordings.delete(r.id), false, 'deleting twice deletes nothing')
})

eachEngine(t, 'who sees which recordings, newest first; retention finds finished ones only', async (t, layer) => {
  await users(layer)
  await layer.db.insertInto('rooms').values({ id: 'r-boris', title: 'Своя', owner_id: 'boris', created_at: 0 }).execute()
  const recordings = createRecordingsRepository(layer)
  const old = await recordings.create(byBoris(1000))
  await recordings.finish(old.id, { status: 'ready', endedAt: 2000, durationMs: 1000, sizeBytes: 1, error: null })
  const running = await recordings.create(byBoris(500))
  const own = await recordings.create({ roomId: 'r-boris', roomTitle: 'Своя', roomOwnerId: 'boris', startedBy: 'boris', startedByName: 'Борис', startedAt: 3000 })
  t.same((await recordings.listAll()).map((r) => r.id), [own.id, old.id, running.id])
  t.same((await recordings.listFor('anna')).map((r) => r.id), [old.id, running.id], 'the room owner sees what others recorded in her room')
  t.same((await recordings.listFor('boris')).map((r) => r.id), [own.id, old.id, running.id], 'the one who recorded sees his')
  t.same(await recordings.listFor('nobody'), [])
  t.same((await recordings.listStartedBefore(3000)).map((r) => r.id), [old.id], 'a running one is never retention’s')
})

eachEngine(t, 'a deleted starter is anonymised; the recording outlives its room and recorder', async (t, layer) => {
  await users(layer)
  const recordings = createRecordingsRepository(layer)
  const r = await recordings.create(byBoris(1000))
  await recordings.anonymiseStarter('boris', 'deleted user #boris')
  await recordings.anonymiseStarter('anna', 'deleted user #anna')
  t.equal((await recordings.get(r.id))?.startedByName, 'deleted user #boris', 'only what he started')
  await layer.db.deleteFrom('users').execute()
  t.match(await recordings.get(r.id), { roomId: null, roomOwnerId: null, startedBy: null, roomTitle: 'Планёрка' }, 'retention decides, not the deletion')
})
