// A smoke run of the network-conditions harness: the relay really loses, delays, reorders and caps
// what it is told to (counted at both ends), and a short meeting with the guest behind a lossy relay
// still carries audio and video both ways. Asserts that the harness works, not how fast media is.
import t from 'tap'
import { createSocket, type Socket } from 'node:dgram'
import { CONDITIONS, runCondition, startCallBench } from '../../bench/lib/network-call.ts'
import { UdpRelay, type RelayConditions } from '../../bench/lib/udp-relay.ts'

interface Arrival {
  seq: number
  at: number
}

/** echoPair: a target that answers every packet and a client that talks to it through a relay. */
async function echoPair(t: { teardown(fn: () => unknown): void }, conditions: RelayConditions) {
  const bind = async (s: Socket) => new Promise<void>((done) => s.bind(0, '127.0.0.1', () => done()))
  const target = createSocket('udp4')
  const client = createSocket('udp4')
  await bind(target)
  await bind(client)
  const atTarget: Arrival[] = []
  const atClient: Arrival[] = []
  target.on('message', (msg, from) => {
    atTarget.push({ seq: msg.readUInt32BE(0), at: performance.now() })
    target.send(msg, from.port, from.address)
  })
  client.on('message', (msg) => atClient.push({ seq: msg.readUInt32BE(0), at: performance.now() }))
  const relay = await UdpRelay.start({ targetHost: '127.0.0.1', targetPort: target.address().port, conditions, seed: 7 })
  t.teardown(async () => {
    await relay.close()
    target.close()
    client.close()
  })
  const send = async (count: number, bytes = 200, gapMs = 1) => {
    const sentAt: number[] = []
    for (let seq = 0; seq < count; seq++) {
      const msg = Buffer.alloc(bytes)
      msg.writeUInt32BE(seq, 0)
      sentAt.push(performance.now())
      client.send(msg, relay.port, '127.0.0.1')
      if (gapMs > 0 && seq % 10 === 9) await new Promise((done) => setTimeout(done, gapMs * 10))
    }
    return sentAt
  }
  const settle = (ms: number) => new Promise((done) => setTimeout(done, ms))
  return { relay, send, settle, atTarget, atClient }
}

const inOrder = (xs: Arrival[]): boolean => xs.every((x, i) => i === 0 || x.seq > xs[i - 1]!.seq)

t.test('the relay drops what it is told, each way, and counts it', async (t) => {
  const { relay, send, settle, atTarget, atClient } = await echoPair(t, { up: { loss: 0.2 }, down: { loss: 0.1 } })
  await send(1000)
  await settle(300)
  t.equal(relay.up.counters.packets, 1000)
  t.ok(relay.up.counters.lost > 150 && relay.up.counters.lost < 250, `uplink lost ${relay.up.counters.lost} of 1000 (20% asked)`)
  t.equal(atTarget.length, 1000 - relay.up.counters.lost, 'the target got exactly what was not dropped')
  t.equal(relay.down.counters.packets, atTarget.length, 'every answer entered the downlink')
  const downLoss = relay.down.counters.lost / relay.down.counters.packets
  t.ok(downLoss > 0.05 && downLoss < 0.15, `downlink lost ${(downLoss * 100).toFixed(1)}% (10% asked)`)
  t.equal(atClient.length, relay.down.counters.delivered, 'the client got what the downlink delivered')
  t.equal(relay.clients, 1, 'one client, one upstream socket')
})

t.test('bursty loss comes in runs', async (t) => {
  const { relay, send, settle, atTarget } = await echoPair(t, { up: { loss: 0.1, burst: 8 } })
  await send(2000)
  await settle(300)
  const lost = relay.up.counters.lost
  t.ok(lost > 100 && lost < 320, `lost ${lost} of 2000 (10% asked)`)
  const got = new Set(atTarget.map((a) => a.seq))
  let runs = 0
  for (let seq = 0; seq < 2000; seq++) if (!got.has(seq) && (seq === 0 || got.has(seq - 1))) runs++
  t.ok(lost / runs > 4, `mean burst ${(lost / runs).toFixed(1)} packets (8 asked)`)
})

t.test('the relay delays, with jitter in order or reordered', async (t) => {
  const steady = await echoPair(t, { up: { delayMs: 60 } })
  const sentAt = await steady.send(50)
  await steady.settle(200)
  t.equal(steady.atTarget.length, 50)
  const delays = steady.atTarget.map((a) => a.at - sentAt[a.seq]!)
  t.ok(Math.min(...delays) >= 58, `every packet waited at least 60 ms (min ${Math.min(...delays).toFixed(1)})`)
  t.ok(Math.max(...delays) < 150, `and not much more (max ${Math.max(...delays).toFixed(1)})`)

  const ordered = await echoPair(t, { up: { delayMs: 40, jitterMs: 30 } })
  await ordered.send(300)
  await ordered.settle(250)
  t.equal(ordered.atTarget.length, 300)
  t.ok(inOrder(ordered.atTarget), 'jitter without reordering keeps the order')
  t.equal(ordered.relay.up.counters.reordered, 0)

  const shuffled = await echoPair(t, { up: { delayMs: 40, jitterMs: 30, reorder: true } })
  await shuffled.send(300)
  await shuffled.settle(250)
  t.equal(shuffled.atTarget.length, 300, 'reordering loses nothing')
  t.notOk(inOrder(shuffled.atTarget), 'jitter with reordering reorders')
  t.ok(shuffled.relay.up.counters.reordered > 10, `${shuffled.relay.up.counters.reordered} packets overtaken`)
})

t.test('a bandwidth cap paces packets and drops what overflows its queue', async (t) => {
  // 400 kbps with a 100 ms queue holds 5000 bytes: of a 50-packet burst of 1000 bytes, ~6 pass.
  // (50: a larger burst would overflow the relay's own socket buffer before the relay sees it.)
  const { relay, send, settle, atTarget } = await echoPair(t, { up: { rateBps: 400_000, queueMs: 100 } })
  await send(50, 1000, 0)
  await settle(400)
  t.equal(relay.up.counters.packets, 50, 'the relay saw the whole burst')
  t.ok(atTarget.length >= 5 && atTarget.length <= 8, `${atTarget.length} of 50 passed the queue`)
  t.equal(relay.up.counters.queueDrops, 50 - atTarget.length, 'the rest were dropped at the queue and counted')
  const spacing = (atTarget.at(-1)!.at - atTarget[0]!.at) / (atTarget.length - 1)
  t.ok(spacing >= 15 && spacing < 30, `paced at ${spacing.toFixed(1)} ms per 1000-byte packet (20 ms at 400 kbps)`)
  // The cap can be lifted mid-stream.
  relay.set({})
  const before = atTarget.length
  await send(50, 1000, 0)
  await settle(100)
  t.equal(atTarget.length - before, 50, 'once lifted, everything passes')
})

t.test('a meeting with the guest behind 10% loss still carries audio and video both ways', async (t) => {
  const bench = await startCallBench()
  t.teardown(() => bench.close())
  const loss10 = CONDITIONS.find((c) => c.name === 'loss10')!
  const r = await runCondition(bench, loss10, { durationS: 6, leadS: 4, tailS: 3 })
  t.ok(r.relay.clients >= 1, `the guest's media went through the relay (${r.relay.clients} client addresses)`)
  t.ok(r.relay.up.lost > 0 && r.relay.down.lost > 0, `the relay dropped packets both ways (up ${r.relay.up.lost}, down ${r.relay.down.lost})`)
  for (const [who, side] of [['the owner', r.ownerReceives], ['the guest', r.guestReceives]] as const) {
    t.ok(side.during.fps > 1, `${who} decodes video under loss (${side.during.fps.toFixed(1)} fps)`)
    t.ok(side.during.height > 0, `${who} sees a picture (${side.during.height}p)`)
    t.ok(side.during.nacks > 0, `${who} asks for lost video packets again (${side.during.nacks} NACKs)`)
    t.ok(side.during.concealedPct < 50, `${who} hears audio, concealed ${side.during.concealedPct.toFixed(1)}%`)
  }
  t.match(r.audioCodec, /^audio\/opus/, 'the guest decodes Opus')
})
