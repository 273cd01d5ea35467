// What a receiver sees first from the media worker: a consumer's RTP sequence numbers start away
// from the 16-bit wrap, so a browser's SRTP (which guesses the rollover counter from them) cannot
// lose a stream whose first packets are lost or reordered. mediasoup 3.12.16 as published starts
// every consumer at 1; build/mediasoup-worker/patches/0003 picks a random start in [1000, 32767].
import t from 'tap'
import { rtpSeq, writeRtpHeader } from '../../../bench/lib/rtp.ts'
import { bindUdp, startRouter } from './loopback-router.ts'

const SSRC = 0x1234
const OPUS_PT = 100

t.test("a consumer's first RTP sequence number is far from the wrap, and differs per consumer", async (t) => {
  const router = await startRouter(t)

  // A plain RTP publisher of Opus, starting at sequence number 1 as a fresh sender does.
  const send = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: true })
  const producer = await send.produce({
    kind: 'audio',
    rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: OPUS_PT, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: SSRC }] },
  })
  const sender = await bindUdp()
  t.teardown(() => sender.close())
  let seq = 1
  const timer = setInterval(() => {
    const packet = Buffer.alloc(12 + 40)
    writeRtpHeader(packet, OPUS_PT, false, seq, seq * 960, SSRC)
    seq++
    sender.send(packet, send.tuple.localPort, '127.0.0.1')
  }, 5)
  t.teardown(() => clearInterval(timer))

  // Three receivers, each consuming paused and resumed as a room does (server/sfu/room.ts).
  const firsts: number[] = []
  for (let i = 0; i < 3; i++) {
    const receiver = await bindUdp()
    t.teardown(() => receiver.close())
    const recv = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: false })
    await recv.connect({ ip: '127.0.0.1', port: receiver.address().port })
    const first = new Promise<number>((resolve, reject) => {
      const timeout = setTimeout(() => reject(new Error('no RTP reached the receiver in 3 s')), 3000)
      receiver.on('message', (msg) => {
        if ((msg[1]! & 0x7f) !== OPUS_PT) return // RTCP
        clearTimeout(timeout)
        resolve(rtpSeq(msg))
      })
    })
    const consumer = await recv.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, paused: true })
    await consumer.resume()
    firsts.push(await first)
  }

  t.comment(`first sequence numbers: ${firsts.join(', ')}`)
  t.ok(
    firsts.every((s) => s >= 1000 && s <= 32767),
    `every receiver's stream starts in [1000, 32767], away from the wrap (${firsts.join(', ')})`,
  )
  t.ok(new Set(firsts).size > 1, 'receivers do not all start at the same number')
})
