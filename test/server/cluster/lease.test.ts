// Meeting leases on a real Redis: one holder at a time, renewal by the holder only, takeover after
// expiry with a higher fencing token, and a holder that stalled past its lease refusing admission.
import t from 'tap'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { setTimeout as sleep } from 'node:timers/promises'
import { ClusterError } from '../../../server/cluster/errors.ts'
import { LeaseKeeper } from '../../../server/cluster/lease-keeper.ts'
import { createLeaseStore } from '../../../server/cluster/lease-store.ts'
import { startRedisServer } from '../../redis-server.ts'
import { openLink as openTestLink } from './fixtures/link.ts'

const redis = await startRedisServer(t)

const openLink = () => openTestLink(t, redis)

t.test('one holder at a time; renew and release by the holder only; a later lease has a higher token', async (t) => {
  const store = createLeaseStore(await openLink())
  const a = await store.acquire('m1', 'node-a', 5000)
  t.ok(a.taken, 'a free meeting is taken')
  t.equal(a.lease.node, 'node-a')
  t.ok(a.lease.token >= Date.now() - 60_000, 'tokens start at least at Redis clock milliseconds')
  const b = await store.acquire('m1', 'node-b', 5000)
  t.notOk(b.taken, 'held: another node cannot take it')
  t.equal(b.lease.node, 'node-a')
  t.equal(b.lease.token, a.lease.token)
  t.equal((await store.acquire('m1', 'node-a', 5000)).lease.token, a.lease.token, 'the holder asking again keeps its token')
  t.notOk(await store.renew('m1', 'node-b', a.lease.token, 5000), 'only the holder renews')
  t.notOk(await store.renew('m1', 'node-a', a.lease.token + 1, 5000), 'and only under its token')
  t.ok(await store.renew('m1', 'node-a', a.lease.token, 5000))
  t.notOk(await store.release('m1', 'node-b', a.lease.token), 'only the holder releases')
  t.ok(await store.release('m1', 'node-a', a.lease.token))
  t.equal(await store.read('m1'), undefined)
  const again = await store.acquire('m1', 'node-b', 5000)
  t.ok(again.taken)
  t.ok(again.lease.token > a.lease.token, 'the next lease has a higher token')
  t.same((await store.list()).map((l) => [l.meetingId, l.node]), [['m1', 'node-b']])
})

t.test('an expired lease is taken over with a higher token; the old holder refuses admission', async (t) => {
  const link = await openLink()
  const store = createLeaseStore(link)
  // The old holder never renews (its renew timer is as good as stopped): a node whose timers stalled.
  const stalled = new LeaseKeeper({ store, nodeName: 'node-a', ttlMs: 400, renewEveryMs: 3_600_000 })
  const live = new LeaseKeeper({ store, nodeName: 'node-b', ttlMs: 5000 })
  t.teardown(() => Promise.all([stalled.close(), live.close()]))
  const lost: string[] = []
  stalled.on('lost', (id, reason) => lost.push(`${id}:${reason}`))
  const old = await stalled.acquire('m2')
  t.equal(await stalled.admit('m2'), old.token, 'the holder admits while its lease is current')
  await t.rejects(live.acquire('m2'), { code: 'lease_held_elsewhere', message: /held by node node-a/ })
  await sleep(500)
  const taken = await live.acquire('m2')
  t.ok(taken.token > old.token, 'takeover after expiry with a higher token')
  t.equal(await live.admit('m2'), taken.token)
  await t.rejects(stalled.admit('m2'), { code: 'lease_lost' }, 'the stalled holder refuses to admit')
  t.same(lost, ['m2:expired'])
  await t.rejects(stalled.admit('m2'), { code: 'lease_lost', message: /holds no lease/ }, 'and keeps refusing')
})

t.test('a holder whose lease was taken over while its local deadline still runs refuses by the token', async (t) => {
  const link = await openLink()
  const store = createLeaseStore(link)
  const a = new LeaseKeeper({ store, nodeName: 'node-a', ttlMs: 60_000 })
  t.teardown(() => a.close())
  const held = await a.acquire('m3')
  // Another node takes it over (as placement does when node-a stopped announcing).
  const other = await store.acquire('m3', 'node-c', 5000, { takeOverSilent: true })
  t.ok(other.taken, 'a silent holder is taken over')
  t.ok(other.lease.token > held.token)
  const refused = await a.admit('m3').catch((err: unknown) => err)
  t.ok(refused instanceof ClusterError)
  t.match((refused as ClusterError).message, /moved to node node-c/)
})

t.test('renewal keeps a lease alive past its ttl', async (t) => {
  const store = createLeaseStore(await openLink())
  const keeper = new LeaseKeeper({ store, nodeName: 'node-a', ttlMs: 600 })
  t.teardown(() => keeper.close())
  const held = await keeper.acquire('m4')
  await sleep(1500)
  t.equal(await keeper.admit('m4'), held.token, 'renewed every ttl/3')
  t.equal((await store.read('m4'))?.node, 'node-a')
  await keeper.close()
  t.equal(await store.read('m4'), undefined, 'close gives the leases up at once')
})

t.test('a holder process frozen (SIGSTOP) past its lease refuses admission after it continues', async (t) => {
  const child = spawn(process.execPath, [new URL('./fixtures/lease-holder.ts', import.meta.url).pathname, redis.url, 'node-a', 'm5', '1000'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  t.teardown(() => void child.kill('SIGKILL'))
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
  const next = async (): Promise<string> => (await lines.next()).value as string
  const held = Number((await next()).split(' ')[1])
  child.stdin!.write('admit\n')
  t.equal(await next(), `admitted ${held}`, 'admits while current')
  child.kill('SIGSTOP')
  const store = createLeaseStore(await openLink())
  await sleep(1300)
  const taken = await store.acquire('m5', 'node-b', 5000)
  t.ok(taken.taken, 'another node takes the meeting while the holder is frozen')
  t.ok(taken.lease.token > held)
  child.kill('SIGCONT')
  child.stdin!.write('admit\n')
  t.match(await next(), /^refused lease_lost: /, 'the continued holder admits no one')
  child.stdin!.end()
})
