import t from 'tap'
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { openDatabase } from '../../../server/db/database.ts'
import { listMigrations, MigrationError, migrate, schemaVersion } from '../../../server/db/migrations.ts'
import { tempDir } from '../../helper.ts'

t.test('a fresh database gets every migration, recorded, with the pragmas set', async (t) => {
  const file = join(tempDir(t), 'veche.db')
  const db = openDatabase(file)
  t.teardown(() => db.close())
  const latest = listMigrations().at(-1)!.version
  t.equal(schemaVersion(db), latest)
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal')
  t.equal(db.pragma('foreign_keys', { simple: true }), 1)
  t.equal(db.pragma('busy_timeout', { simple: true }), 5000)
  t.equal(migrate(db), 0, 'running again applies nothing')
  // Each area's own tests read and write its tables; here only the core ones must exist.
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all()
  for (const name of ['audit_log', 'clock', 'license', 'license_pending', 'recordings', 'rooms', 'schema_migrations', 'sessions', 'update_packages', 'users']) {
    t.ok(tables.includes(name), `table ${name} exists`)
  }
})

t.test('a database from a newer release is refused, untouched', async (t) => {
  const file = join(tempDir(t), 'veche.db')
  openDatabase(file).close()
  const raw = new Database(file)
  raw.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, ?, ?)').run('future', Date.now())
  raw.close()
  t.throws(() => openDatabase(file), MigrationError)
  t.throws(() => openDatabase(file), { message: /schema version 999 is newer than this release knows/ })
})

t.test('deleting a user takes their sessions and rooms', async (t) => {
  const db = openDatabase(join(tempDir(t), 'veche.db'))
  t.teardown(() => db.close())
  db.prepare("INSERT INTO users (id, email, display_name, role, password_hash, created_at) VALUES ('u1', 'a@b.c', 'A', 'member', 'x', 0)").run()
  db.prepare("INSERT INTO rooms (id, title, owner_id, created_at) VALUES ('r1', 'Room', 'u1', 0)").run()
  db.prepare("INSERT INTO sessions VALUES ('h', 'u1', 0, 1)").run()
  db.prepare("DELETE FROM users WHERE id = 'u1'").run()
  t.equal(db.prepare('SELECT COUNT(*) FROM rooms').pluck().get(), 0)
  t.equal(db.prepare('SELECT COUNT(*) FROM sessions').pluck().get(), 0)
})
