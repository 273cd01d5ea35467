// Node presence and placement on a real Redis: a node appears once it announces, leaves at once when it
// stops, and is gone a few seconds after it falls silent; a new meeting goes to the least-loaded live
// node that is not draining.
import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import type { NodeLoad } from '../../../server/cluster/node-load.ts'
import { keys } from '../../../server/cluster/keys.ts'
import { liveNodes, readAnnouncement } from '../../../server/cluster/node-registry.ts'
import { chooseNode, placeMeeting } from '../../../server/cluster/placement.ts'
import { startPresence, type NodeAnnouncement } from '../../../server/cluster/presence.ts'
import { createLeaseStore } from '../../../server/cluster/lease-store.ts'
import { eventually } from '../../eventually.ts'
import { startRedisServer } from '../../redis-server.ts'
import { openLink as openTestLink } from './fixtures/link.ts'

const redis = await startRedisServer(t)

const openLink = () => openTestLink(t, redis)

const load = (participants: number, workers = 2, cpu = 0.1): NodeLoad => ({ cpu, cores: 2, workers, rooms: 1, participants, consumers: participants * 2 })
const self = (name: string) => ({ name, url: `https://${name}.corp.example:8443`, mediaAddress: '127.0.0.2', version: '0.1.0', startedAt: Date.now() })

t.test('a node appears when it announces, is gone at once when it stops, and soon after it falls silent', async (t) => {
  const link = await openLink()
  const a = startPresence({ link, self: self('node-a'), measure: async () => load(3), everyMs: 100, ttlMs: 400 })
  const b = startPresence({ link, self: self('node-b'), measure: async () => load(5), everyMs: 100, ttlMs: 400 })
  const both = await eventually('both nodes listed', async () => ((await liveNodes(link)).length === 2 ? liveNodes(link) : undefined))
  t.same(both.map((n) => n.name), ['node-a', 'node-b'])
  t.equal(both[0]!.url, 'https://node-a.corp.example:8443')
  t.same(both[1]!.load, load(5), 'the announcement carries the load')
  t.equal(both[0]!.draining, false)

  a.setDraining(true)
  await eventually('draining announced', async () => ((await liveNodes(link)).find((n) => n.name === 'node-a')?.draining ? true : undefined))

  await a.stop()
  t.same((await liveNodes(link)).map((n) => n.name), ['node-b'], 'a stopped node leaves at once')

  // A node that falls silent without saying goodbye (killed, paused): its announcement expires.
  const silencedLink = await openLink()
  const c = startPresence({ link: silencedLink, self: self('node-c'), measure: async () => load(1), everyMs: 100, ttlMs: 400 })
  await eventually('node-c listed', async () => ((await liveNodes(link)).some((n) => n.name === 'node-c') ? true : undefined))
  await silencedLink.close() // no more announcements reach Redis, and no goodbye
  const silentAt = Date.now()
  await eventually('node-c gone', async () => ((await liveNodes(link)).some((n) => n.name === 'node-c') ? undefined : true), 3000)
  t.ok(Date.now() - silentAt < 1500, `gone within about its ttl (${Date.now() - silentAt} ms)`)
  t.same(await link.command(['SMEMBERS', 'veche:nodes']), ['node-b'], 'its name is forgotten too')
  await c.stop()
  await b.stop()
})

t.test('a damaged or foreign announcement in Redis is skipped; the other nodes are still listed and placed on', async (t) => {
  const link = await openLink()
  const good = startPresence({ link, self: self('node-good'), measure: async () => load(1), everyMs: 100, ttlMs: 2000 })
  t.teardown(() => good.stop())
  await eventually('the good node listed', async () => ((await liveNodes(link)).some((n) => n.name === 'node-good') ? true : undefined))
  const bodies = { 'node-garbage': '{not json', 'node-array': '[1,2]', 'node-noload': JSON.stringify({ ...self('node-noload'), announcedAt: 1, draining: false }), 'node-nan': JSON.stringify({ ...self('node-nan'), announcedAt: 1, draining: false, load: { ...load(1), cpu: 'high' } }) }
  for (const [name, body] of Object.entries(bodies)) {
    await link.command(['SET', keys.node(name), body, 'PX', '5000'])
    await link.command(['SADD', keys.nodes, name])
  }
  t.same((await liveNodes(link)).map((n) => n.name), ['node-good'], 'only the readable announcement is listed')
  t.equal(readAnnouncement('{"name":1}'), undefined)
  t.equal(chooseNode(await liveNodes(link))?.name, 'node-good', 'placement still works')
  for (const name of Object.keys(bodies)) await link.command(['DEL', keys.node(name)])
})

t.test('the least-loaded node that is not draining gets a new meeting', async (t) => {
  const node = (name: string, participants: number, extra: Partial<NodeAnnouncement> = {}): NodeAnnouncement => ({
    ...self(name),
    announcedAt: Date.now(),
    draining: false,
    load: load(participants),
    ...extra,
  })
  t.equal(chooseNode([node('a', 20), node('b', 4), node('c', 9)])?.name, 'b', 'fewest people per worker')
  t.equal(chooseNode([node('a', 20), node('b', 4, { draining: true }), node('c', 9)])?.name, 'c', 'a draining node takes none')
  t.equal(chooseNode([node('a', 8, { load: load(8, 4) }), node('b', 6)])?.name, 'a', 'per worker: 8 on 4 workers is less than 6 on 2')
  t.equal(chooseNode([node('b', 4, { load: load(4, 2, 0.5) }), node('a', 4, { load: load(4, 2, 0.2) })])?.name, 'a', 'ties: less CPU')
  t.equal(chooseNode([node('a', 1, { draining: true })]), undefined)

  const link = await openLink()
  const store = createLeaseStore(link)
  const nodes = [node('node-a', 20), node('node-b', 4)]
  const first = await placeMeeting(store, nodes, 'meet-1', 5000)
  t.match(first, { node: 'node-b', url: 'https://node-b.corp.example:8443', placedNow: true })
  const again = await placeMeeting(store, [node('node-a', 0), node('node-b', 40)], 'meet-1', 5000)
  t.match(again, { node: 'node-b', token: first.token, placedNow: false }, 'a placed meeting stays with its live holder')
  const moved = await placeMeeting(store, [node('node-a', 0)], 'meet-1', 5000)
  t.match(moved, { node: 'node-a', placedNow: true }, 'its holder gone silent: placed again')
  t.ok(moved.token > first.token, 'with a higher token')
  await t.rejects(placeMeeting(store, [node('node-a', 0, { draining: true })], 'meet-2', 5000), { code: 'no_node', message: /no live node takes new meetings/ })
})
