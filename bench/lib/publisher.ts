// Sends one synthetic participant's media over one UDP socket, the way a browser's send transport
// would: Opus-sized audio every 20 ms with an audio level, and three VP8 simulcast layers frame by
// frame; a keyframe on each layer at start and whenever the server asks (PLI or FIR on RTCP).
// Every packet carries its send time (a big-endian float64 of monoMs()) in its last 8 payload bytes.
import type { Socket } from 'node:dgram'
import { performance } from 'node:perf_hooks'
import { monoMs } from './clock.ts'
import {
  AUDIO,
  AUDIO_LEVEL_EXT_ID,
  AUDIO_PT,
  frameBytes,
  KEYFRAME_FACTOR,
  MAX_PAYLOAD,
  packetsPerFrame,
  VIDEO_LAYERS,
  VIDEO_PT,
  type VideoLayer,
} from './media-profile.ts'
import { isRtcp, keyFrameRequests, RTP_HEADER, senderReport, writeRtpHeader } from './rtp.ts'
import type { SrtpContext } from './srtp.ts'
import { VP8_DESCRIPTOR, vp8HeaderSize, writeVp8 } from './vp8.ts'

const STAMP = 8

interface Stream {
  ssrc: number
  seq: number
  timestamp: number
  clockRate: number
  /** For Sender Reports: RTP time of the last packet, when it went, and what went so far. */
  lastTimestamp: number
  lastSentAt: number
  packets: number
  octets: number
  nextReport: number
  /** performance.now() (ms) when the next packet or frame is due. */
  due: number
  intervalMs: number
}

interface VideoStream extends Stream {
  layer: VideoLayer
  pictureId: number
  tl0PicIdx: number
  keyFramePending: boolean
}

const randomSsrc = (): number => (Math.random() * 0xfffffff0 + 1) >>> 0
const randomSeq = (): number => Math.floor(Math.random() * 0x8000)

export interface PublisherCounters {
  packets: number
  audioPackets: number
  /** Packets of the top simulcast layer: what a subscriber on that layer receives. */
  topLayerPackets: number
  keyFrames: number
  keyFrameRequests: number
}

export class Publisher {
  readonly audioSsrc: number
  readonly videoSsrcs: number[]
  readonly counters: PublisherCounters = { packets: 0, audioPackets: 0, topLayerPackets: 0, keyFrames: 0, keyFrameRequests: 0 }
  readonly #socket: Socket
  readonly #srtp: SrtpContext | undefined
  readonly #rtcpSrtp: SrtpContext | undefined
  readonly #audio: Stream
  readonly #video: VideoStream[]
  /** Talk spurts: a participant speaks ~2 s at a time and is silent ~10 s between (a meeting, not a choir). */
  #talking = false
  #turnAt = performance.now() + Math.random() * 10_000
  #started = false

  /**
   * `socket` is bound and connected to the server's plain send transport; `srtp` encrypts what we
   * send, `remoteSrtp` decrypts the server's RTCP.
   */
  constructor(socket: Socket, srtp?: SrtpContext, remoteSrtp?: SrtpContext) {
    this.#socket = socket
    this.#srtp = srtp
    this.#rtcpSrtp = remoteSrtp
    const now = performance.now()
    // Random phases, so hundreds of publishers do not send in lockstep.
    const reporting = { lastTimestamp: 0, lastSentAt: now, packets: 0, octets: 0, nextReport: now + 100 }
    this.#audio = {
      ssrc: randomSsrc(),
      seq: randomSeq(),
      timestamp: 0,
      clockRate: AUDIO.clockRate,
      ...reporting,
      due: now + Math.random() * 20,
      intervalMs: 1000 / AUDIO.packetsPerSecond,
    }
    const phase = Math.random() * 33
    this.#video = VIDEO_LAYERS.map((layer) => ({
      layer,
      ssrc: randomSsrc(),
      seq: randomSeq(),
      timestamp: 0,
      clockRate: 90000,
      ...reporting,
      due: now + phase,
      intervalMs: 1000 / layer.fps,
      pictureId: Math.floor(Math.random() * 0x7fff),
      tl0PicIdx: 0,
      keyFramePending: true,
    }))
    this.audioSsrc = this.#audio.ssrc
    this.videoSsrcs = this.#video.map((v) => v.ssrc)
    socket.on('message', (msg) => this.#onMessage(msg))
    // ICMP port unreachable once the server closed our transport (we leave, or it shut down).
    socket.on('error', () => undefined)
  }

  start(): void {
    this.#started = true
  }

  #onMessage(msg: Buffer): void {
    if (!isRtcp(msg)) return
    const rtcp = this.#rtcpSrtp ? this.#rtcpSrtp.unprotectRtcp(msg) : msg
    for (const ssrc of keyFrameRequests(rtcp)) {
      const v = this.#video.find((s) => s.ssrc === ssrc)
      if (v) {
        v.keyFramePending = true
        this.counters.keyFrameRequests++
      }
    }
  }

  /** tick sends every packet that is due by `now` (ms); the pacer calls it every few milliseconds. */
  tick(now: number): void {
    if (!this.#started) return
    const a = this.#audio
    while (a.due <= now) {
      this.#sendAudio()
      a.due += a.intervalMs
    }
    for (const v of this.#video) {
      while (v.due <= now) {
        this.#sendFrame(v)
        v.due += v.intervalMs
      }
    }
    for (const s of [a, ...this.#video]) if (s.nextReport <= now && s.packets > 0) this.#report(s, now)
  }

  /** #report sends a Sender Report for `s`, about once a second as libwebrtc does. */
  #report(s: Stream, now: number): void {
    s.nextReport = now + 1000
    const rtpNow = s.lastTimestamp + Math.round(((now - s.lastSentAt) * s.clockRate) / 1000)
    const sr = senderReport(s.ssrc, performance.timeOrigin + now, rtpNow, s.packets, s.octets)
    this.#socket.send(this.#srtp ? this.#srtp.protectRtcp(sr) : sr)
  }

  #send(s: Stream, packet: Buffer, headerLength: number): void {
    const now = performance.now()
    packet.writeDoubleBE(monoMs(), packet.length - STAMP)
    this.#socket.send(this.#srtp ? this.#srtp.protectRtp(packet, headerLength) : packet)
    this.counters.packets++
    s.packets++
    s.octets += packet.length - headerLength
    s.lastTimestamp = s.timestamp
    s.lastSentAt = now
  }

  #sendAudio(): void {
    const a = this.#audio
    const headerLength = RTP_HEADER + 8
    const packet = Buffer.alloc(headerLength + AUDIO.payloadBytes)
    writeRtpHeader(packet, AUDIO_PT, false, a.seq, a.timestamp, a.ssrc, true)
    // One-byte header extension (RFC 8285) with the audio level: voice activity bit and -dBov.
    packet.writeUInt16BE(0xbede, RTP_HEADER)
    packet.writeUInt16BE(1, RTP_HEADER + 2)
    const now = performance.now()
    if (now >= this.#turnAt) {
      this.#talking = !this.#talking
      this.#turnAt = now + (this.#talking ? 1000 + Math.random() * 2000 : 5000 + Math.random() * 10_000)
    }
    // Level in -dBov (0 loudest, 127 silence): speech around -20 to -35, room noise around -80.
    const level = this.#talking ? 20 + Math.floor(Math.random() * 15) : 75 + Math.floor(Math.random() * 10)
    packet[RTP_HEADER + 4] = (AUDIO_LEVEL_EXT_ID << 4) | 0
    packet[RTP_HEADER + 5] = (this.#talking ? 0x80 : 0) | level
    this.#send(a, packet, headerLength)
    this.counters.audioPackets++
    a.seq = (a.seq + 1) & 0xffff
    a.timestamp = (a.timestamp + AUDIO.clockRate / AUDIO.packetsPerSecond) >>> 0
  }

  #sendFrame(v: VideoStream): void {
    const key = v.keyFramePending
    v.keyFramePending = false
    if (key) this.counters.keyFrames++
    const bytes = frameBytes(v.layer) * (key ? KEYFRAME_FACTOR : 1)
    const count = packetsPerFrame(bytes)
    const perPacket = Math.max(STAMP + vp8HeaderSize(true), Math.ceil(bytes / count))
    if (v === this.#video.at(-1)) this.counters.topLayerPackets += count
    for (let i = 0; i < count; i++) {
      const first = i === 0
      const packet = Buffer.alloc(RTP_HEADER + VP8_DESCRIPTOR + Math.min(perPacket, MAX_PAYLOAD))
      writeRtpHeader(packet, VIDEO_PT, i === count - 1, v.seq, v.timestamp, v.ssrc)
      writeVp8(packet, RTP_HEADER, first, key, v.pictureId, v.tl0PicIdx, v.layer.width, v.layer.height)
      this.#send(v, packet, RTP_HEADER)
      v.seq = (v.seq + 1) & 0xffff
    }
    v.pictureId = (v.pictureId + 1) & 0x7fff
    v.tl0PicIdx = (v.tl0PicIdx + 1) & 0xff
    v.timestamp = (v.timestamp + 90000 / v.layer.fps) >>> 0
  }
}
