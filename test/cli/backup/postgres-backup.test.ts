// `veche backup` and `veche restore` on PostgreSQL (database.url set): the archive holds a SQLite copy
// of every table, row for row, and names the database it came from; restore puts those rows back into
// PostgreSQL, keeping what it held; a database at another schema is refused.
import t, { type Test } from 'tap'
import Database from 'better-sqlite3'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { TABLES } from '../../../cli/db/tables.ts'
import { createAuditRepository } from '../../../server/db/audit-repository.ts'
import { createDb, type DataLayer } from '../../../server/db/engine.ts'
import { createLicenseRepository } from '../../../server/db/license-repository.ts'
import { migratePostgres } from '../../../server/db/migrations.ts'
import { createRoomsRepository } from '../../../server/db/rooms-repository.ts'
import type { UserId } from '../../../server/db/users-repository.ts'
import { postgresCluster, seedMembers } from '../../engines.ts'
import { tempDir } from '../../helper.ts'
import { archiveEntries, veche } from './backup-cli.ts'

/** database returns a fresh database of the file's cluster, migrated or not. */
async function database(t: Test, migrated: boolean): Promise<{ url: string; layer: DataLayer }> {
  const url = await (await postgresCluster()).createDatabase()
  const layer = createDb({ url, password: '', passwordFile: '' })
  t.teardown(() => layer.close())
  if (migrated) await migratePostgres(layer.db)
  return { url, layer }
}

/** sorted renders a table's rows comparably on both engines: JSON lines, sorted. */
const sorted = (rows: unknown[]): string[] => rows.map((r) => JSON.stringify(r)).sort()

/** sameRows checks that PostgreSQL and the SQLite file hold the same rows, table by table. */
async function sameRows(t: Test, layer: DataLayer, file: string, what: string): Promise<void> {
  const copy = new Database(file, { readonly: true })
  try {
    for (const table of TABLES) {
      const pgRows = (await layer.db.selectFrom(table.name).selectAll().execute()) as Record<string, unknown>[]
      const fileRows = copy.prepare(`SELECT ${table.columns.join(', ')} FROM ${table.name}`).all() as Record<string, unknown>[]
      const pick = (row: Record<string, unknown>) => Object.fromEntries(table.columns.map((c) => [c, row[c]]))
      t.same(sorted(fileRows.map(pick)), sorted(pgRows.map(pick)), `${what}: ${table.name} the same`)
    }
  } finally {
    copy.close()
  }
}

t.test('a backup of a PostgreSQL database holds every table, row for row, and restores into it', async (t) => {
  const { url, layer } = await database(t, true)
  // Text keys that sort differently byte-wise and by a locale's collation.
  const [anna, zed] = ['anna' as UserId, 'Zed' as UserId]
  await seedMembers(layer, [anna, zed])
  const room = await createRoomsRepository(layer).create(anna, 'Планёрка «Ромашки»')
  await createRoomsRepository(layer).create(zed, 'Ретро')
  await createAuditRepository(layer).record({ id: anna, displayName: 'anna' }, 'room.created', { id: room.id, name: room.title }, { quote: 'a "b" \\ c' })
  const license = createLicenseRepository(layer)
  await license.saveActivated({ licenseId: 'lic_1', licenseKey: 'key', certificate: 'cert', activatedAt: 1_700_000_000 })
  await license.advanceClock(2_000_000_000)

  const dir = tempDir(t)
  const out = join(dir, 'pg.tar.gz')
  const settings = ['--set', `data.dir=${join(dir, 'data')}`, '--set', `database.url=${url}`, '--set', 'server.port=0']
  const r = await veche(['backup', '--out', out, ...settings], {})
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /exported from postgres .*: \d+ tables, row counts and checksums match/)

  const entries = await archiveEntries(out)
  const manifest = JSON.parse(entries.find((e) => e.path === 'backup.json')!.data!.toString('utf8'))
  t.match(manifest.source.database, /^postgres veche@127\.0\.0\.1:\d+\//, 'the manifest names the database, no password')
  const copyFile = join(dir, 'copy.db')
  writeFileSync(copyFile, entries.find((e) => e.path === 'veche.db')!.data!)
  await sameRows(t, layer, copyFile, 'backup')

  // Later changes, undone by the restore; what they made is kept beside the data folder.
  await seedMembers(layer, ['mallory'])
  await layer.db.deleteFrom('rooms').where('id', '=', room.id).execute()
  const restored = await veche(['restore', out, '--no-service', ...settings], {})
  t.equal(restored.code, 0, restored.stderr)
  t.match(restored.stdout, new RegExp(`restored ${TABLES.length} tables into PostgreSQL .*: row counts and checksums match`))
  await sameRows(t, layer, copyFile, 'restored')
  t.equal((await layer.db.selectFrom('users').select('id').where('id', '=', 'mallory').execute()).length, 0, 'the later member is gone')
  await createAuditRepository(layer).record({ id: zed, displayName: 'Zed' }, 'room.created')
  t.equal((await createAuditRepository(layer).list()).entries.length, 2, 'new rows take ids after the restored ones')
  const keptFile = /kept what .* held \(\d+ rows\) in (\S+)/.exec(restored.stdout)?.[1]
  t.ok(keptFile && existsSync(keptFile), 'the replaced database is kept')
  const kept = new Database(keptFile!, { readonly: true })
  t.teardown(() => kept.close())
  t.same(kept.prepare("SELECT id FROM users WHERE id = 'mallory'").all(), [{ id: 'mallory' }], 'it holds the later member')
})

t.test('a PostgreSQL database at another schema version is refused, no archive written', async (t) => {
  const { url } = await database(t, false)
  const dir = tempDir(t)
  const out = join(dir, 'pg.tar.gz')
  const r = await veche(['backup', '--out', out, '--set', `data.dir=${join(dir, 'data')}`, '--set', `database.url=${url}`], {})
  t.not(r.code, 0)
  t.match(r.stderr, /is at schema version 0, not this release's \d+: start this release's server once to migrate it/)
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace')
  t.notOk(existsSync(out))
})
