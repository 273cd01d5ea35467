// The probe's synthetic publishers: each sends what a browser's camera and microphone send a
// receiver on the top simulcast layer (Opus 50 packets/s, VP8 720p at 2.5 Mbit/s: 270 packets/s)
// as plain RTP over loopback to the generator worker, which encrypts it (SRTP in C there, so Node
// pays only a send per packet). A keyframe at start and whenever the worker asks (PLI/FIR).
import { createSocket, type Socket } from 'node:dgram'

export const AUDIO_PT = 100
export const VIDEO_PT = 101
/** Packets per second of one publisher, and what each of its receivers gets: the same here. */
export const PACKETS_PER_SECOND = 320
const TICK_MS = 5
const MAX_PAYLOAD = 1180
/** 2.5 Mbit/s at 30 fps: 10417 bytes a frame, in 9 packets. */
const FRAME_BYTES = 10417
const KEYFRAME_FACTOR = 5

interface Stream {
  ssrc: number
  seq: number
  timestamp: number
  due: number
}

const randomSsrc = (): number => (Math.random() * 0xfffffff0 + 1) >>> 0

/** One participant's outgoing media on one socket. */
export class ProbeSender {
  readonly audio: Stream
  readonly video: Stream
  packets = 0
  #keyFrame = true
  readonly #socket: Socket

  private constructor(socket: Socket) {
    this.#socket = socket
    const now = performance.now()
    this.audio = { ssrc: randomSsrc(), seq: Math.floor(Math.random() * 0x8000), timestamp: 0, due: now + Math.random() * 20 }
    this.video = { ssrc: randomSsrc(), seq: Math.floor(Math.random() * 0x8000), timestamp: 0, due: now + Math.random() * 33 }
    socket.on('message', (msg) => {
      // PT 206 with FMT 1 (PLI) or 4 (FIR) anywhere in a compound RTCP packet: a keyframe is due.
      for (let off = 0; off + 4 <= msg.length; off += (msg.readUInt16BE(off + 2) + 1) * 4) {
        const fmt = msg[off]! & 0x1f
        if (msg[off + 1] === 206 && (fmt === 1 || fmt === 4)) this.#keyFrame = true
      }
    })
    socket.on('error', () => undefined) // ICMP from a transport already closed
  }

  /** ProbeSender.open binds a socket on 127.0.0.1 that sends to `port` there. */
  static async open(port: number): Promise<ProbeSender> {
    const socket = createSocket('udp4')
    await new Promise<void>((done) => socket.bind(0, '127.0.0.1', done))
    await new Promise<void>((done) => socket.connect(port, '127.0.0.1', done))
    return new ProbeSender(socket)
  }

  tick(now: number): void {
    while (this.audio.due <= now) {
      this.#send(this.audio, AUDIO_PT, true, Buffer.alloc(12 + 100))
      this.audio.timestamp = (this.audio.timestamp + 960) >>> 0
      this.audio.due += 20
    }
    while (this.video.due <= now) {
      const key = this.#keyFrame
      this.#keyFrame = false
      const bytes = FRAME_BYTES * (key ? KEYFRAME_FACTOR : 1)
      const count = Math.ceil(bytes / MAX_PAYLOAD)
      for (let i = 0; i < count; i++) {
        const packet = Buffer.alloc(12 + 4 + Math.ceil(bytes / count))
        // VP8 payload descriptor (RFC 7741): X|S, I, then a 15-bit picture id; on a frame's first
        // packet the payload header, whose P bit (clear) marks a keyframe, with the start code and
        // 1280x720: what mediasoup waits for before it starts a consumer.
        packet[12] = 0x80 | (i === 0 ? 0x10 : 0)
        packet[13] = 0x80
        packet.writeUInt16BE(0x8000 | ((this.video.timestamp / 3000) & 0x7fff), 14)
        if (i === 0) packet.set(key ? [0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x00, 0x05, 0xd0, 0x02] : [0x11, 0x02, 0x00], 16)
        this.#send(this.video, VIDEO_PT, i === count - 1, packet)
      }
      this.video.timestamp = (this.video.timestamp + 3000) >>> 0
      this.video.due += 1000 / 30
    }
  }

  #send(s: Stream, pt: number, marker: boolean, packet: Buffer): void {
    packet[0] = 0x80
    packet[1] = (marker ? 0x80 : 0) | pt
    packet.writeUInt16BE(s.seq, 2)
    packet.writeUInt32BE(s.timestamp, 4)
    packet.writeUInt32BE(s.ssrc, 8)
    s.seq = (s.seq + 1) & 0xffff
    this.#socket.send(packet)
    this.packets++
  }

  close(): void {
    this.#socket.close()
  }
}

/** SenderClock ticks every sender every few milliseconds, as a browser's pacer does. */
export class SenderClock {
  readonly senders = new Set<ProbeSender>()
  readonly #timer = setInterval(() => {
    const now = performance.now()
    for (const s of this.senders) s.tick(now)
  }, TICK_MS)

  stop(): void {
    clearInterval(this.#timer)
  }
}
