// `veche cluster status` and doctor's cluster-redis check against a real Redis where two nodes announce
// themselves and one holds a meeting's lease. The real CLI runs once per outcome; variations of the
// same outcome run in this process (each CLI start costs seconds).
import t from 'tap'
import { clusterRedisCheck } from '../../cli/doctor/checks/cluster-redis.ts'
import { createLeaseStore } from '../../server/cluster/lease-store.ts'
import { liveNodes } from '../../server/cluster/node-registry.ts'
import { startPresence } from '../../server/cluster/presence.ts'
import { RedisLink } from '../../server/cluster/redis-link.ts'
import { clusterStatus } from '../../server/cluster/status.ts'
import { eventually } from '../eventually.ts'
import { freePort } from '../kits.ts'
import { VECHE } from '../server-process.ts'
import { startRedisServer } from '../redis-server.ts'
import { check, contextWith, exec, isolated, tempDir } from './doctor/fixtures/doctor.ts'

const PASSWORD = 'redis s3cret'
const redis = await startRedisServer(t, { password: PASSWORD })
const link = RedisLink.open({ url: redis.url, password: PASSWORD })
t.teardown(() => link.close())
await link.ready(5000)
const load = { cpu: 0.25, cores: 2, workers: 2, rooms: 1, participants: 7, consumers: 42 }
for (const name of ['node-a', 'node-b']) {
  const presence = startPresence({ link, self: { name, url: `https://${name}.corp.example:8443`, mediaAddress: '10.0.0.1', version: '0.1.0', startedAt: Date.now() }, measure: async () => load })
  t.teardown(() => presence.stop())
}
await eventually('both nodes announced', async () => ((await liveNodes(link)).length === 2 ? true : undefined))
await createLeaseStore(link).acquire('room-42', 'node-a', 60_000)

const cli = (args: string[], set: string[], env: NodeJS.ProcessEnv = {}) => exec(VECHE, [...args, ...isolated(tempDir(t), set)], env)
const cluster = [`cluster.redisUrl=${redis.url}`, 'cluster.nodeName=node-a']

t.test('cluster status lists the nodes with their load and version, and the meetings with their lease age', async (t) => {
  const r = await cli(['cluster', 'status'], cluster, { VECHE_REDIS_PASSWORD: PASSWORD })
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, new RegExp(`^Cluster on Redis 7\\.\\d+\\.\\d+ at redis://127\\.0\\.0\\.1:${redis.port}: 2 live node\\(s\\), 1 meeting\\(s\\)`))
  t.match(r.stdout, /NODE\s+VERSION\s+STATE\s+CPU\s+WORKERS\s+ROOMS\s+PEOPLE\s+CONSUMERS\s+MEETINGS\s+SEEN\s+URL/)
  t.match(r.stdout, /node-a\s+0\.1\.0\s+serving\s+25%\s+2\s+1\s+7\s+42\s+1\s+\d+\.\d s ago\s+https:\/\/node-a\.corp\.example:8443/)
  t.match(r.stdout, /node-b\s+0\.1\.0\s+serving\s+25%\s+2\s+1\s+7\s+42\s+0\s/)
  t.match(r.stdout, /room-42\s+node-a\s+\d+\.\d s\s+\d+\.\d s\s+\d{13}/)
  const status = await clusterStatus(link)
  t.same(status.nodes.map((n) => n.name), ['node-a', 'node-b'], 'what --json prints')
  t.match(status.leases, [{ meetingId: 'room-42', node: 'node-a', holderLive: true }])
  t.ok(status.leases[0]!.ageMs >= 0 && status.leases[0]!.ageMs < 60_000)
})

t.test('cluster status: not a cluster, a wrong password, Redis away: one line naming the fix', async (t) => {
  const none = await cli(['cluster', 'status'], [])
  t.equal(none.code, 1)
  t.equal(none.stderr, 'veche: this server is not part of a cluster: cluster.redisUrl is empty (set it, the same on every node, to make one)\n')
  const wrong = await clusterRedisCheck.run(contextWith(tempDir(t), [...cluster, 'cluster.redisPassword=wrong']), false)
  t.equal(wrong.status, 'error')
  t.match(wrong.message, /^Redis at redis:\/\/127\.0\.0\.1:\d+ \(cluster\.redisUrl\) is unavailable: .*: set the right password in VECHE_REDIS_PASSWORD or cluster\.redisPasswordFile$/)
  const port = await freePort()
  const away = await cli(['cluster', 'status'], [`cluster.redisUrl=redis://127.0.0.1:${port}`])
  t.equal(away.code, 1)
  t.match(away.stderr, new RegExp(`^veche: Redis at redis://127\\.0\\.0\\.1:${port} \\(cluster\\.redisUrl\\) is unavailable: .*ECONNREFUSED`))
})

t.test('doctor checks Redis when the node is in a cluster', async (t) => {
  const single = await clusterRedisCheck.run(contextWith(tempDir(t)), false)
  t.same(single, { status: 'ok', message: 'not configured (cluster.redisUrl is empty): a single box' })
  const ok = await check('cluster-redis', isolated(tempDir(t), cluster), { VECHE_REDIS_PASSWORD: PASSWORD })
  t.match(ok, { status: 'ok', code: 0 })
  t.match(ok.message, new RegExp(`^Redis 7\\.\\d+\\.\\d+ at redis://127\\.0\\.0\\.1:${redis.port} answers; node node-a; other live nodes: node-b$`))
  const port = await freePort()
  const away = await clusterRedisCheck.run(contextWith(tempDir(t), [`cluster.redisUrl=redis://127.0.0.1:${port}`]), false)
  t.match(away, { status: 'error', message: new RegExp(`^Redis at redis://127\\.0\\.0\\.1:${port} \\(cluster\\.redisUrl\\) is unavailable`) })
})
