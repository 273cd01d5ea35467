// The relay's RTP handling: header fields, rewriting in place, VP8 keyframe starts.
import t from 'tap'
import { buildRtp, isRtcp, isVp8KeyframeStart, readRtp, rewriteRtp, vp8Payloads } from '../../../server/recording/rtp.ts'

t.test('read, rewrite and tell RTCP apart', async (t) => {
  const packet = buildRtp({ ssrc: 0xdeadbeef, payloadType: 101, seq: 65535, timestamp: 4_000_000_000, marker: true }, Buffer.from([1, 2, 3]))
  t.match(readRtp(packet), { ssrc: 0xdeadbeef, payloadType: 101, seq: 65535, timestamp: 4_000_000_000, marker: true, payloadOffset: 12, payloadEnd: 15 })
  rewriteRtp(packet, { ssrc: 7, payloadType: 96, seq: 65536 + 5, timestamp: 2 ** 32 + 9 })
  t.match(readRtp(packet), { ssrc: 7, payloadType: 96, seq: 5, timestamp: 9, marker: true }, 'wraps around, keeps the marker')
  t.ok(isRtcp(Buffer.from([0x80, 200, 0, 6])), 'a sender report is RTCP')
  t.notOk(isRtcp(packet))
  t.equal(readRtp(Buffer.from([0x40, 0, 0])), undefined, 'not RTP')
})

t.test('a VP8 keyframe start, with and without the extended descriptor', async (t) => {
  const key = Buffer.from([0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a]) // frame tag with P clear, then the start code
  const inter = Buffer.from([0x31, 0x02, 0x00])
  const header = (payload: Buffer) => {
    const p = buildRtp({ ssrc: 1, payloadType: 96, seq: 1, timestamp: 1, marker: false }, payload)
    return [p, readRtp(p)!] as const
  }
  const [p1, h1] = header(Buffer.concat([Buffer.from([0x10]), key]))
  t.ok(isVp8KeyframeStart(p1, h1), 'S=1, PID=0, keyframe')
  // X=1 with a 15-bit picture id, TL0PICIDX and TID present.
  const [p2, h2] = header(Buffer.concat([Buffer.from([0x90, 0xe0, 0x81, 0x23, 0x05, 0x40]), key]))
  t.ok(isVp8KeyframeStart(p2, h2), 'extended descriptor skipped')
  const [p3, h3] = header(Buffer.concat([Buffer.from([0x90, 0x80, 0x12]), inter]))
  t.notOk(isVp8KeyframeStart(p3, h3), 'an interframe')
  const [p4, h4] = header(Buffer.concat([Buffer.from([0x00]), key]))
  t.notOk(isVp8KeyframeStart(p4, h4), 'not the start of a frame')
  const parts = vp8Payloads(Buffer.alloc(2500, 0))
  t.equal(parts.length, 3)
  t.equal(parts[0]![0], 0x10, 'only the first packet has S set')
  t.equal(parts[1]![0], 0x00)
})
