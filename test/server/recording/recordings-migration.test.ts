// Migration 0003 (recordings) on a database at the previous schema, and what deleting a room or a
// user does to the recordings that came from them.
import t from 'tap'
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { openDatabase } from '../../../server/db/database.ts'
import { createDb } from '../../../server/db/engine.ts'
import { listMigrations, schemaVersion } from '../../../server/db/migrations.ts'
import { createRecordingsRepository } from '../../../server/db/recordings-repository.ts'
import { tempDir } from '../../helper.ts'

t.test('a database at schema 2 gains recordings; its rooms and users stay', async (t) => {
  const file = join(tempDir(t), 'veche.db')
  const raw = new Database(file)
  raw.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)')
  for (const m of listMigrations().filter((m) => m.version <= 2)) {
    raw.exec(m.sql)
    raw.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, 0)
  }
  raw.exec("INSERT INTO users VALUES ('u1', 'a@b.c', 'A', 'member', 'x', 0); INSERT INTO rooms VALUES ('r1', 'Room', 'u1', 0)")
  raw.close()

  const db = openDatabase(file)
  t.teardown(() => db.close())
  t.ok(schemaVersion(db) >= 3)
  t.equal(db.prepare('SELECT title FROM rooms').pluck().get(), 'Room', 'rooms are kept')
  const recordings = createRecordingsRepository(createDb({ url: '', password: '', passwordFile: '' }, db))
  const r = await recordings.create({ roomId: 'r1', roomTitle: 'Room', roomOwnerId: 'u1', startedBy: 'u1', startedByName: 'A', startedAt: 1 })
  t.match(await recordings.get(r.id), { status: 'recording', file: `${r.id}.mp4`, chatFile: `${r.id}.chat.txt` })
  t.same((await recordings.listFor('u1')).map((x) => x.id), [r.id])

  db.prepare("DELETE FROM users WHERE id = 'u1'").run()
  t.match(await recordings.get(r.id), { roomId: null, roomOwnerId: null, startedBy: null, startedByName: 'A', roomTitle: 'Room' }, 'a recording outlives its room and recorder; retention decides')
})
