// Redis unavailable: the node keeps running (no crash, no unhandled rejection), lease and placement
// calls fail at once with an error naming Redis and cluster.redisUrl, and everything recovers by itself
// when Redis returns, empty (a restart without persistence) or after a pause.
import t from 'tap'
import { ClusterError } from '../../../server/cluster/errors.ts'
import { LeaseKeeper } from '../../../server/cluster/lease-keeper.ts'
import { createLeaseStore } from '../../../server/cluster/lease-store.ts'
import { liveNodes } from '../../../server/cluster/node-registry.ts'
import { startPresence } from '../../../server/cluster/presence.ts'
import { RedisLink } from '../../../server/cluster/redis-link.ts'
import { eventually } from '../../eventually.ts'
import { startRedisServer } from '../../redis-server.ts'

const unhandled: unknown[] = []
const onUnhandled = (err: unknown): void => void unhandled.push(err)
process.on('unhandledRejection', onUnhandled)
t.teardown(() => void process.off('unhandledRejection', onUnhandled))

const load = { cpu: 0, cores: 2, workers: 1, rooms: 0, participants: 0, consumers: 0 }

t.test('Redis stopped, then started again empty', async (t) => {
  const redis = await startRedisServer(t)
  const logged: string[] = []
  const log = { warn: (_: object, msg: string) => void logged.push(`warn ${msg}`), info: (_: object, msg: string) => void logged.push(`info ${msg}`) }
  const link = RedisLink.open({ url: redis.url, log })
  t.teardown(() => link.close())
  await link.ready(5000)
  const store = createLeaseStore(link)
  const keeper = new LeaseKeeper({ store, nodeName: 'node-a', ttlMs: 1500 })
  t.teardown(() => keeper.close())
  const presence = startPresence({ link, self: { name: 'node-a', url: 'https://a:8443', mediaAddress: '127.0.0.2', version: 'x', startedAt: 0 }, measure: async () => load, everyMs: 100, ttlMs: 1000 })
  t.teardown(() => presence.stop())
  const before = await keeper.acquire('m1')
  await eventually('node listed', async () => ((await liveNodes(link)).length === 1 ? true : undefined))

  await redis.stop()
  const down = await keeper.acquire('m2').catch((err: unknown) => err)
  t.ok(down instanceof ClusterError, 'a lease call fails with a ClusterError')
  t.equal((down as ClusterError).code, 'redis_unavailable')
  t.match((down as ClusterError).message, new RegExp(`^Redis at redis://127\\.0\\.0\\.1:${redis.port} \\(cluster\\.redisUrl\\) is unavailable: `))
  await t.rejects(liveNodes(link), { code: 'redis_unavailable' }, 'so does the registry')
  await t.rejects(keeper.admit('m1'), { code: 'redis_unavailable' }, 'an admission cannot be proved while Redis is away')
  t.equal(link.up, false)
  // Renewals and announcements keep failing in the background for a while: nothing may crash.
  await new Promise((resolve) => setTimeout(resolve, 800))

  await redis.start()
  await eventually('link back up', () => (link.up ? true : undefined), 10_000)
  await eventually('node announced again', async () => ((await liveNodes(link).catch(() => [])).length === 1 ? true : undefined), 10_000)
  // The restart lost every key: the meeting's lease is gone, and so the keeper forgets it, and takes it again with a higher token.
  await eventually('old lease forgotten', () => (keeper.held().length === 0 ? true : undefined), 5000)
  const after = await keeper.acquire('m1')
  t.ok(after.token > before.token, 'tokens keep growing across a Redis restart that lost the counter')
  t.equal(await keeper.admit('m1'), after.token)
  const warnings = logged.filter((l) => l.startsWith('warn'))
  t.equal(warnings[0], 'warn Redis unavailable; new meetings are refused until it answers')
  // Retries ran every 100-200 ms meanwhile; a second line may come from a slow answer on a loaded machine.
  t.ok(warnings.length <= 2, `the outage is logged once, not once per retry (${warnings.length})`)
  t.ok(logged.filter((l) => l === 'info Redis reachable').length >= 2, 'and the recovery too')
})

t.test('Redis paused (SIGSTOP): calls give up within the command timeout, and work again after SIGCONT', async (t) => {
  const redis = await startRedisServer(t)
  const link = RedisLink.open({ url: redis.url, commandTimeoutMs: 300 })
  t.teardown(() => link.close())
  await link.ready(5000)
  const store = createLeaseStore(link)
  redis.pause()
  const started = performance.now()
  await t.rejects(store.acquire('m1', 'node-a', 5000), { code: 'redis_unavailable', message: /no answer within 300 ms/ })
  t.ok(performance.now() - started < 1500, 'not stuck while Redis is frozen')
  redis.resume()
  t.ok((await eventually('answers again', async () => (await store.acquire('m1', 'node-a', 5000).catch(() => undefined))?.taken, 5000)), 'taken after the pause')
})

t.test('no unhandled rejection on the way', async (t) => {
  t.same(unhandled, [])
})
