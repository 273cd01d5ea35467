// Prints what the cluster's Redis calls cost, next to a bare Redis round trip (PING) measured in the
// same run on the same connection: placing a new meeting (read its lease, acquire it for the chosen
// node), the check before each admission, a renewal; and how long a silent node stays listed.
// Run: bin/veche-node bench/cluster-placement.ts   (starts its own redis-server on loopback)
import { performance } from 'node:perf_hooks'
import { LeaseKeeper } from '../server/cluster/lease-keeper.ts'
import { createLeaseStore } from '../server/cluster/lease-store.ts'
import { liveNodes } from '../server/cluster/node-registry.ts'
import { placeMeeting } from '../server/cluster/placement.ts'
import { NODE_TTL_MS, startPresence, type NodeAnnouncement } from '../server/cluster/presence.ts'
import { RedisLink } from '../server/cluster/redis-link.ts'
import { startRedisServer } from '../test/redis-server.ts'

const N = Number(process.env.BENCH_N ?? 2000)
const teardown: (() => unknown)[] = []
const percentile = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!

async function timeEach(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    await fn(i)
    out.push((performance.now() - t0) * 1000)
  }
  return out
}

try {
  const redis = await startRedisServer({ teardown: (fn) => void teardown.push(fn) })
  const link = RedisLink.open({ url: redis.url })
  teardown.push(() => link.close())
  await link.ready(5000)
  const store = createLeaseStore(link)
  const load = { cpu: 0.1, cores: 2, workers: 2, rooms: 0, participants: 0, consumers: 0 }
  const nodes: NodeAnnouncement[] = ['node-a', 'node-b', 'node-c'].map((name, i) => ({
    name, url: `https://${name}:8443`, mediaAddress: '127.0.0.1', version: 'bench', startedAt: 0, announcedAt: 0, draining: false,
    load: { ...load, participants: i },
  }))
  const keeper = new LeaseKeeper({ store, nodeName: 'node-a', ttlMs: 60_000 })
  teardown.push(() => keeper.close())

  // Warm up (script cache, JIT), then measure.
  await timeEach(200, () => link.command(['PING']))
  await timeEach(200, (i) => placeMeeting(store, nodes, `warm-${i}`, 60_000))
  const ping = await timeEach(N, () => link.command(['PING']))
  const place = await timeEach(N, (i) => placeMeeting(store, nodes, `m-${i}`, 60_000))
  const acquire = await timeEach(N, (i) => keeper.acquire(`m-${i}`))
  const admit = await timeEach(N, (i) => keeper.admit(`m-${i}`))
  const renew = await timeEach(N, (i) => store.renew(`m-${i}`, 'node-a', keeper.held()[i]!.token, 60_000))

  const row = (what: string, xs: number[]): string => {
    const p50 = percentile(xs, 0.5)
    return `${what.padEnd(44)} p50 ${p50.toFixed(0).padStart(5)} us  p99 ${percentile(xs, 0.99).toFixed(0).padStart(5)} us  ${(p50 / percentile(ping, 0.5)).toFixed(2)}x PING`
  }
  process.stdout.write(`cluster calls on Redis ${redis.url}, ${N} each, one connection, one at a time\n`)
  process.stdout.write(`${row('PING (baseline: one round trip)', ping)}\n`)
  process.stdout.write(`${row('place a new meeting (read + acquire)', place)}\n`)
  process.stdout.write(`${row("holder takes the placed lease (acquire)", acquire)}\n`)
  process.stdout.write(`${row('check before admission (admit)', admit)}\n`)
  process.stdout.write(`${row('renew one lease', renew)}\n`)

  // A node that falls silent (killed): how long until the registry stops listing it.
  const other = RedisLink.open({ url: redis.url })
  await other.ready(5000)
  const presence = startPresence({ link: other, self: { name: 'silent', url: 'https://silent:8443', mediaAddress: '127.0.0.1', version: 'bench', startedAt: 0 }, measure: async () => load })
  await presence.announce()
  teardown.push(() => presence.stop())
  await other.close() // no goodbye
  const silentAt = performance.now()
  while ((await liveNodes(link)).some((n) => n.name === 'silent')) await new Promise((r) => setTimeout(r, 20))
  process.stdout.write(`a silent node is gone from the registry after ${((performance.now() - silentAt) / 1000).toFixed(2)} s (announcement ttl ${NODE_TTL_MS / 1000} s)\n`)
} finally {
  for (const fn of teardown.reverse()) await fn()
}
