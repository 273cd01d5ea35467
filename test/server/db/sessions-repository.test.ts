// The sessions table on both engines: a token is stored only as its hash, looked up while live,
// ended one at a time or all of a user's, and purged once expired.
import t from 'tap'
import { createHash } from 'node:crypto'
import { createSessionsRepository } from '../../../server/db/sessions-repository.ts'
import type { UserId } from '../../../server/db/users-repository.ts'
import { eachEngine, seedMembers } from '../../engines.ts'

const anna = 'anna' as UserId
const boris = 'boris' as UserId

eachEngine(t, 'a session is found by its token while it lives, and only by it', async (t, layer) => {
  await seedMembers(layer, [anna, boris])
  const sessions = createSessionsRepository(layer)
  const before = Date.now()
  const { token, expiresAt } = await sessions.create(anna, 60_000)
  t.match(token, /^[A-Za-z0-9_-]{43}$/, '256 random bits, URL-safe')
  t.ok(expiresAt >= before + 60_000 && expiresAt <= Date.now() + 60_000)
  const stored = await layer.db.selectFrom('sessions').selectAll().execute()
  t.same(stored.map((r) => r.token_hash), [createHash('sha256').update(token).digest('base64url')], 'only the hash is stored')
  t.equal(await sessions.userIdFor(token), anna)
  t.equal(await sessions.userIdFor(`${token}x`), undefined)
  t.equal(await sessions.userIdFor(token, expiresAt), undefined, 'not at its expiry')
  t.equal(await sessions.userIdFor(token, expiresAt - 1), anna, 'up to just before it')
  await sessions.expireNow(token)
  t.equal(await sessions.userIdFor(token), undefined, 'ended at once')
})

eachEngine(t, 'sign-out ends one session, deleteForUser all of a user', async (t, layer) => {
  await seedMembers(layer, [anna, boris])
  const sessions = createSessionsRepository(layer)
  const a1 = (await sessions.create(anna, 60_000)).token
  const a2 = (await sessions.create(anna, 60_000)).token
  const a3 = (await sessions.create(anna, 60_000)).token
  const b = (await sessions.create(boris, 60_000)).token
  await sessions.delete(a1)
  t.equal(await sessions.userIdFor(a1), undefined)
  t.equal(await sessions.userIdFor(a2), anna)
  t.equal(await sessions.deleteForUser(anna), 2)
  t.equal(await sessions.userIdFor(a3), undefined)
  t.equal(await sessions.userIdFor(b), boris, "another user's session stays")
  t.equal(await sessions.deleteForUser(anna), 0)
})

eachEngine(t, 'expired sessions are purged, live ones stay', async (t, layer) => {
  await seedMembers(layer, [anna])
  const sessions = createSessionsRepository(layer)
  const short = await sessions.create(anna, 1000)
  const long = await sessions.create(anna, 60_000)
  t.equal(await sessions.purgeExpired(short.expiresAt), 1)
  t.equal(await sessions.userIdFor(long.token), anna)
  t.equal(await sessions.purgeExpired(short.expiresAt), 0)
})
