// What a receiver sees when a camera's packets arrive reordered while it gets a lower temporal
// layer (a small tile, or a link too slow for the full frame rate): the worker drops the frames of
// the higher layers and numbers what it forwards without holes. mediasoup 3.12.16 as published
// leaves a hole whenever a dropped packet arrives after a later one (the receiver counts a loss and
// NACKs a packet that never existed); build/mediasoup-worker/patches/0008 closes it.
import t from 'tap'
import { isRtcp, rtpSeq } from '../../../bench/lib/rtp.ts'
import { bindUdp, startRouter } from './loopback-router.ts'
import { VP8_PT, vp8Packet, type Vp8Packet } from './vp8-packets.ts'

const SSRC_LOW = 0x1111
const SSRC_HIGH = 0x2222 // announced, never sent: the receiver stays on the low stream

const vp8 = (p: Omit<Vp8Packet, 'ssrc'>): Buffer => vp8Packet({ ...p, ssrc: SSRC_LOW })

t.test('a dropped higher-layer frame whose packets arrive reordered leaves no sequence hole', async (t) => {
  const router = await startRouter(t)

  // A camera as browsers send it: simulcast VP8 with three temporal layers per stream.
  const send = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: true })
  const producer = await send.produce({
    kind: 'video',
    rtpParameters: {
      codecs: [{ mimeType: 'video/VP8', payloadType: VP8_PT, clockRate: 90000 }],
      encodings: [
        { ssrc: SSRC_LOW, scalabilityMode: 'L1T3' },
        { ssrc: SSRC_HIGH, scalabilityMode: 'L1T3' },
      ],
    },
  })
  const sender = await bindUdp()
  t.teardown(() => sender.close())
  const toWorker = (packet: Buffer) => sender.send(packet, send.tuple.localPort, '127.0.0.1')

  // A receiver that asked for the base temporal layer only.
  const receiver = await bindUdp()
  t.teardown(() => receiver.close())
  const recv = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: false })
  await recv.connect({ ip: '127.0.0.1', port: receiver.address().port })
  const consumer = await recv.consume({
    producerId: producer.id,
    rtpCapabilities: router.rtpCapabilities,
    preferredLayers: { spatialLayer: 0, temporalLayer: 0 },
  })
  t.equal(consumer.type, 'simulcast', 'the consumer is a simulcast one, as for a browser camera')
  const ssrc = consumer.rtpParameters.encodings![0]!.ssrc!
  const received: number[] = []
  receiver.on('message', (msg) => {
    // Only the consumer's own stream: the worker also sends probation packets (ssrc 1234).
    if (!isRtcp(msg) && msg.readUInt32BE(8) === ssrc) received.push(rtpSeq(msg))
  })

  // Key frames until the consumer has picked its layer and forwarded one.
  let seq = 1000
  let pictureId = 100
  let tl0 = 10
  for (let i = 0; i < 60 && received.length === 0; i++) {
    toWorker(vp8({ seq: seq++, pictureId: pictureId++, tl0PicIdx: tl0++, temporalLayer: 0, start: true, marker: true, keyFrame: true }))
    await new Promise((r) => setTimeout(r, 50))
  }
  t.ok(received.length > 0, 'the receiver got the key frame')
  await new Promise((r) => setTimeout(r, 200))
  const before = received.length
  const lastBefore = received.at(-1)!

  // A two-packet TL2 frame (dropped for this receiver) whose second packet overtakes its first,
  // then the next TL0 frame (forwarded).
  const tl2 = { pictureId: pictureId++, tl0PicIdx: tl0 - 1, temporalLayer: 2, keyFrame: false }
  const first = seq++
  const second = seq++
  toWorker(vp8({ ...tl2, seq: second, start: false, marker: true }))
  await new Promise((r) => setTimeout(r, 20))
  toWorker(vp8({ ...tl2, seq: first, start: true, marker: false }))
  await new Promise((r) => setTimeout(r, 20))
  toWorker(vp8({ seq: seq++, pictureId: pictureId++, tl0PicIdx: tl0++, temporalLayer: 0, start: true, marker: true, keyFrame: false }))
  await new Promise((r) => setTimeout(r, 300))

  const after = received.slice(before)
  t.same(after.length, 1, 'only the TL0 frame reached the receiver')
  t.equal((after[0]! - lastBefore) & 0xffff, 1, `the TL0 frame follows the last packet without a hole (${lastBefore} -> ${after[0]})`)
})
