// Plain RTP transports through the real signaling: refused unless configured; with them, synthetic
// peers (bench/lib) publish and receive each other's audio and simulcast video, with and without
// SRTP; a room spread over two workers (pipeToRouter) carries media between them; and a receiver's
// key frame request reaches the sender.
import t from 'tap'
import { SUBSCRIBER_RTP_CAPABILITIES } from '../../../bench/lib/media-profile.ts'
import { NodeReceiveSide } from '../../../bench/lib/receive-side.ts'
import { Pacer } from '../../../bench/lib/pacer.ts'
import { sleep } from '../../../bench/lib/stats.ts'
import { SyntheticPeer } from '../../../bench/lib/synthetic-peer.ts'
import { VecheSignaling } from '../../../bench/lib/targets/veche-signaling.ts'
import { appTarget } from './app-target.ts'

async function meet(target: Awaited<ReturnType<typeof appTarget>>, people: number, srtp: boolean) {
  const receiver = new NodeReceiveSide()
  const pacer = new Pacer()
  const room = await target.createRoom()
  const peers: SyntheticPeer[] = []
  for (let i = 0; i < people; i++) peers.push(await SyntheticPeer.join(target, room, `p${i}`, { srtp, publish: true, receiver, pacer }))
  // Every peer should get audio and video from every other peer.
  const want = (people - 1) * 2
  for (let i = 0; i < 100; i++) {
    await receiver.report()
    if (peers.every((p) => p.inbox.streams >= want)) break
    await sleep(100)
  }
  await receiver.reset()
  await sleep(1000)
  const report = await receiver.report()
  return { room, peers, receiver, report, want, leave: () => Promise.all(peers.map((p) => p.leave())) }
}

t.test('plain transports are refused unless media.plainTransports is on', async (t) => {
  const target = await appTarget(t, [])
  const room = await target.createRoom()
  const session = await target.connect(room)
  t.teardown(() => session.close())
  await session.join('Gateway')
  await t.rejects(session.createPlainTransport('send', false), { code: 'plain_transports_disabled', message: /media\.plainTransports=true/ })
})

t.test('synthetic peers meet over plain RTP, with and without SRTP', async (t) => {
  const target = await appTarget(t, ['media.plainTransports=true'])
  for (const srtp of [false, true]) {
    const m = await meet(target, 3, srtp)
    t.ok(m.peers.every((p) => p.inbox.streams >= m.want), `srtp ${srtp}: everyone receives everyone's audio and video`)
    // Two others each send 50 audio + 270 top-layer video packets a second.
    t.ok(m.report.received > 3 * 2 * 320 * 0.7, `srtp ${srtp}: ${m.report.received} packets in a second`)
    t.ok(m.report.received >= m.report.expected * 0.95, `srtp ${srtp}: little loss on a busy machine (${m.report.received}/${m.report.expected})`)
    t.ok(m.peers.every((p) => (p.publisher?.counters.keyFrameRequests ?? 0) > 0), 'keyframes were asked for')
    await m.leave()
    await sleep(200)
  }
  // A plain transport id is not a WebRTC one, and the other way round.
  const room = await target.createRoom()
  const port = (target.app.server.address() as { port: number }).port
  const sig = await VecheSignaling.connect(`wss://127.0.0.1:${port}/api/rooms/${room}/signal`, target.ca)
  t.teardown(() => sig.close())
  await sig.request('join', { displayName: 'Mixed' })
  const plain = await sig.request<{ id: string }>('createPlainTransport', { direction: 'send' })
  const webrtc = await sig.request<{ id: string }>('createTransport', { direction: 'recv' })
  await t.rejects(sig.request('connectTransport', { transportId: plain.id, dtlsParameters: {} }), { code: 'not_found' })
  await t.rejects(sig.request('connectPlainTransport', { transportId: webrtc.id, ip: '127.0.0.1', port: 9 }), { code: 'not_found' })
  await t.rejects(sig.request('createPlainTransport', { direction: 'send', port: 5 }), { code: 'bad_request' })
})

t.test('a room spread over two workers forwards media between them', async (t) => {
  const target = await appTarget(t, ['media.plainTransports=true', 'media.workers=2', 'media.peersPerWorker=2'])
  const m = await meet(target, 4, false)
  const dumps = await Promise.all(target.app.workerPool.live().map((w) => w.worker.dump()))
  t.same(
    dumps.map((d) => d.routerIds.length),
    [1, 1],
    'the room has a router on each worker',
  )
  t.ok(m.peers.every((p) => p.inbox.streams >= m.want), 'everyone receives everyone, across workers')
  t.ok(m.report.received >= m.report.expected * 0.95 && m.report.received > 4 * 3 * 320 * 0.7, `little loss on a busy machine (${m.report.received}/${m.report.expected})`)
  const routers = async (): Promise<number[]> =>
    (await Promise.all(target.app.workerPool.live().map((w) => w.worker.dump()))).map((d) => d.routerIds.length)
  // The two peers homed on the second worker leave: its router, and the pipes into it, go.
  await Promise.all(m.peers.slice(2).map((p) => p.leave()))
  await sleep(300)
  t.same(await routers(), [1, 0], 'an emptied spill-over router is closed')
  await Promise.all(m.peers.slice(0, 2).map((p) => p.leave()))
  await sleep(300)
  t.same(await routers(), [0, 0], 'the room closes on both workers')
})

t.test('requestKeyFrame: a receiver whose picture froze gets a key frame asked of the sender at once', async (t) => {
  const target = await appTarget(t, ['media.plainTransports=true'])
  const receiver = new NodeReceiveSide()
  t.teardown(() => receiver.close())
  const room = await target.createRoom()
  const sender = await SyntheticPeer.join(target, room, 'Sender', { srtp: false, publish: true, receiver, pacer: new Pacer() })
  t.teardown(() => sender.leave())
  const port = (target.app.server.address() as { port: number }).port
  const sig = await VecheSignaling.connect(`wss://127.0.0.1:${port}/api/rooms/${room}/signal`, target.ca)
  t.teardown(() => sig.close())
  const consumers: { consumerId: string; kind: string }[] = []
  sig.onNotification = (name, data) => {
    if (name === 'newConsumer') consumers.push(data as { consumerId: string; kind: string })
  }
  await sig.request('join', { displayName: 'Receiver' })
  const recv = await sig.request<{ id: string }>('createPlainTransport', { direction: 'recv' })
  const inbox = await receiver.open()
  await sig.request('connectPlainTransport', { transportId: recv.id, ip: '127.0.0.1', port: inbox.port })
  await sig.request('ready', { rtpCapabilities: SUBSCRIBER_RTP_CAPABILITIES })
  for (let i = 0; i < 50 && consumers.length < 2; i++) await sleep(100)
  const video = consumers.find((c) => c.kind === 'video')!
  const audio = consumers.find((c) => c.kind === 'audio')!
  t.ok(video && audio, 'the receiver consumes the sender audio and video')
  await sig.request('resumeConsumer', { consumerId: video.consumerId })
  // Resuming asks for a key frame by itself; let that one pass (mediasoup merges requests close together).
  await sleep(1500)
  const before = sender.publisher!.counters.keyFrameRequests
  t.same(await sig.request('requestKeyFrame', { consumerId: video.consumerId }), {}, 'the request is answered')
  for (let i = 0; i < 20 && sender.publisher!.counters.keyFrameRequests === before; i++) await sleep(50)
  t.ok(sender.publisher!.counters.keyFrameRequests > before, 'the sender was asked for a key frame')
  t.same(await sig.request('requestKeyFrame', { consumerId: audio.consumerId }), {}, 'an audio consumer: nothing to do, no error')
  await t.rejects(sig.request('requestKeyFrame', { consumerId: 'no-such-consumer' }), { code: 'not_found' }, 'only its own consumers')
})
