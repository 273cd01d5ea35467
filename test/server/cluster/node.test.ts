// `veche serve` as a cluster node: with cluster.redisUrl it announces itself with its real load (a
// participant joining shows) and leaves the registry on shutdown; without it nothing changes; with
// Redis away at start it serves anyway.
import t from 'tap'
import { liveNodes } from '../../../server/cluster/node-registry.ts'
import { RedisLink } from '../../../server/cluster/redis-link.ts'
import { VERSION } from '../../../server/version.ts'
import { eventually } from '../../eventually.ts'
import { freePort } from '../../kits.ts'
import { build, roomWithPeople } from '../../helper.ts'
import { startRedisServer } from '../../redis-server.ts'
import { SignalingClient } from '../../signaling-client.ts'

t.test('a node announces its real load and leaves on shutdown', async (t) => {
  const redis = await startRedisServer(t)
  const link = RedisLink.open({ url: redis.url })
  t.teardown(() => link.close())
  await link.ready(5000)
  const { app, owner, url } = await roomWithPeople(t, 'Планёрка', [`cluster.redisUrl=${redis.url}`, 'cluster.nodeName=node-t', 'cluster.nodeUrl=https://127.0.0.1:1'])
  const announced = await eventually('node announced', async () => (await liveNodes(link)).find((n) => n.name === 'node-t'))
  t.match(announced, { name: 'node-t', url: 'https://127.0.0.1:1', mediaAddress: '127.0.0.1', version: VERSION, draining: false })
  t.match(announced.load, { workers: 1, rooms: 0, participants: 0, consumers: 0 })

  const client = await SignalingClient.connect(url, owner)
  t.teardown(() => client.socket.close())
  t.match(await client.request('join'), { ok: true })
  const busy = await eventually('participant announced', async () => (await liveNodes(link)).find((n) => n.name === 'node-t' && n.load.participants === 1), 10_000)
  t.equal(busy.load.rooms, 1, 'the room shows')
  t.ok(busy.load.cpu >= 0 && busy.load.cpu <= 1, `cpu is a share of the machine (${busy.load.cpu})`)

  await app.close()
  t.same(await liveNodes(link), [], 'gone from the registry at once on shutdown')
})

t.test('without cluster.redisUrl the server is a single box', async (t) => {
  const app = await build(t)
  t.equal(app.cluster, undefined)
})

t.test('with Redis away at start the server still serves', async (t) => {
  const port = await freePort()
  const started = performance.now()
  const app = await build(t, { set: [`cluster.redisUrl=redis://127.0.0.1:${port}`, 'cluster.nodeName=node-t'] })
  t.ok(performance.now() - started < 15_000)
  t.equal(app.cluster?.link.up, false)
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200)
  await t.rejects(app.cluster!.place('room-1'), { code: 'redis_unavailable', message: new RegExp(`^Redis at redis://127\\.0\\.0\\.1:${port} \\(cluster\\.redisUrl\\) is unavailable`) })
})
