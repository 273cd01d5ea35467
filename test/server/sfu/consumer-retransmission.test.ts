// What a receiver gets back when it reports a lost camera packet while others watch the same camera:
// the resent packet must carry the VP8 picture id this receiver was sent, not another receiver's
// (each consumer renumbers picture ids from its own first key frame). mediasoup 3.12.16 as published
// resends whichever receiver's copy was stored first; build/mediasoup-worker/patches/0010 fixes it.
import t, { type Test } from 'tap'
import type { types } from 'mediasoup'
import { isRtcp, rtpSeq, rtpSsrc } from '../../../bench/lib/rtp.ts'
import { bindUdp, startRouter } from './loopback-router.ts'
import { VP8_PT, vp8Packet, vp8PictureId, type Vp8Packet } from './vp8-packets.ts'

const SSRC_LOW = 0x3333
const SSRC_HIGH = 0x4444 // announced, never sent

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** nack is an RTCP Generic NACK (RFC 4585 6.2.1) asking `mediaSsrc` for one packet. */
function nack(mediaSsrc: number, seq: number): Buffer {
  const packet = Buffer.alloc(16)
  packet[0] = 0x81 // V=2, FMT=1
  packet[1] = 205 // RTPFB
  packet.writeUInt16BE(3, 2)
  packet.writeUInt32BE(0x5555, 4)
  packet.writeUInt32BE(mediaSsrc >>> 0, 8)
  packet.writeUInt16BE(seq, 12)
  return packet
}

interface Receiver {
  ssrc: number
  /** Every packet of the consumer's stream, in arrival order. */
  packets: Buffer[]
  askAgain(seq: number): void
}

/** receive consumes the camera on its own PlainTransport, without RTX (resends keep their seq). */
async function receive(t: Test, router: types.Router, producer: types.Producer): Promise<Receiver> {
  const socket = await bindUdp()
  t.teardown(() => socket.close())
  const transport = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: false })
  await transport.connect({ ip: '127.0.0.1', port: socket.address().port })
  const caps = router.rtpCapabilities
  const consumer = await transport.consume({
    producerId: producer.id,
    rtpCapabilities: { ...caps, codecs: caps.codecs!.filter((c) => c.mimeType.toLowerCase() !== 'video/rtx') },
    preferredLayers: { spatialLayer: 0, temporalLayer: 2 },
  })
  const ssrc = consumer.rtpParameters.encodings![0]!.ssrc!
  const packets: Buffer[] = []
  socket.on('message', (msg) => {
    if (!isRtcp(msg) && rtpSsrc(msg) === ssrc) packets.push(msg)
  })
  return { ssrc, packets, askAgain: (seq) => socket.send(nack(ssrc, seq), transport.tuple.localPort, '127.0.0.1') }
}

t.test('a resent VP8 packet carries the picture id its own receiver was sent', async (t) => {
  const router = await startRouter(t)

  const send = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: true })
  const producer = await send.produce({
    kind: 'video',
    rtpParameters: {
      codecs: [{ mimeType: 'video/VP8', payloadType: VP8_PT, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }] }],
      encodings: [
        { ssrc: SSRC_LOW, scalabilityMode: 'L1T3' },
        { ssrc: SSRC_HIGH, scalabilityMode: 'L1T3' },
      ],
    },
  })
  const sender = await bindUdp()
  t.teardown(() => sender.close())
  let seq = 2000
  let pictureId = 300
  let tl0 = 40
  const frame = (keyFrame: boolean) =>
    sender.send(
      vp8Packet({ ssrc: SSRC_LOW, seq: seq++, pictureId: pictureId++, tl0PicIdx: tl0++, temporalLayer: 0, start: true, marker: true, keyFrame } satisfies Vp8Packet),
      send.tuple.localPort,
      '127.0.0.1',
    )
  const keyFramesUntil = async (r: Receiver) => {
    for (let i = 0; i < 60 && r.packets.length === 0; i++) {
      frame(true)
      await sleep(50)
    }
  }

  // The first receiver joins, then the camera sends a while, then the second receiver joins: their
  // picture ids for the same frame now differ.
  const early = await receive(t, router, producer)
  await keyFramesUntil(early)
  for (let i = 0; i < 5; i++) {
    frame(false)
    await sleep(20)
  }
  const late = await receive(t, router, producer)
  await keyFramesUntil(late)
  t.ok(early.packets.length > 0 && late.packets.length > 0, 'both receivers got a key frame')

  frame(false)
  await sleep(200)
  const sentEarly = early.packets.at(-1)!
  const sentLate = late.packets.at(-1)!
  t.not(vp8PictureId(sentEarly), vp8PictureId(sentLate), 'the two receivers number the same frame differently')

  // Both receivers report that frame lost; each must get its own copy back.
  const before = { early: early.packets.length, late: late.packets.length }
  early.askAgain(rtpSeq(sentEarly))
  late.askAgain(rtpSeq(sentLate))
  await sleep(300)
  for (const [name, r, sent, n] of [
    ['first', early, sentEarly, before.early],
    ['second', late, sentLate, before.late],
  ] as const) {
    const resent = r.packets.slice(n).find((p) => rtpSeq(p) === rtpSeq(sent))
    t.ok(resent, `the ${name} receiver got the packet again`)
    if (resent) t.equal(vp8PictureId(resent), vp8PictureId(sent), `the ${name} receiver's resent packet has its own picture id`)
  }
})
