// The test PostgreSQL helper itself: a cluster starts on loopback, hands out separate databases,
// stops by pid (its port closes, its process is gone) and starts again with its data.
import t from 'tap'
import pg from 'pg'
import { startPostgresServer } from '../../postgres-server.ts'

const query = async (url: string, text: string): Promise<pg.QueryResult> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await client.query(text)
  } finally {
    await client.end()
  }
}

t.test('a cluster starts, gives each test its own database, stops by pid and starts again', async (t) => {
  const server = await startPostgresServer(t)
  const [a, b] = [await server.createDatabase(), await server.createDatabase()]
  t.not(a, b, 'two databases')
  await query(a, 'CREATE TABLE x (n INTEGER)')
  t.equal((await query(b, "SELECT COUNT(*)::int AS n FROM pg_tables WHERE tablename = 'x'")).rows[0].n, 0, 'a table in one is not in the other')
  const version = (await query(a, 'SHOW server_version_num')).rows[0].server_version_num as string
  t.ok(Number(version) >= 150000, `PostgreSQL 15 or later (${version})`)

  const pid = server.pid()!
  t.ok(pid > 0, 'postmaster pid known')
  await server.stop()
  t.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, 'the postmaster is gone')
  await t.rejects(query(a, 'SELECT 1'), { code: 'ECONNREFUSED' }, 'nothing listens on the port')

  await server.start()
  t.equal((await query(a, "SELECT COUNT(*)::int AS n FROM pg_tables WHERE tablename = 'x'")).rows[0].n, 1, 'the data is still there')
})
