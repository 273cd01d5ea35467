// Receives one synthetic participant's forwarded media on one UDP socket (the far end of the
// server's plain recv transport): counts packets and sequence gaps per SSRC, times each packet
// against the send time in its payload, and notes when the first packet arrived (join latency).
import type { Socket } from 'node:dgram'
import { monoMs } from './clock.ts'
import type { Histogram } from './histogram.ts'
import { isRtcp, rtpHeaderLength } from './rtp.ts'
import type { SrtpContext } from './srtp.ts'

const STAMP = 8

interface StreamState {
  /** Extended highest sequence number seen. */
  maxSeq: number
  /** Extended sequence number the current window counts from. */
  baseSeq: number
  received: number
}

export interface SubscriberCounts {
  received: number
  expected: number
}

export class Subscriber {
  /** monoMs() of the first RTP packet, or undefined until one came. */
  firstPacketAt: number | undefined
  readonly #streams = new Map<number, StreamState>()
  /** Decrypts what arrives, once the port is keyed (ReceivePort.key). */
  srtp: SrtpContext | undefined
  readonly #delays: Histogram
  #onFirst: (() => void) | undefined

  constructor(socket: Socket, delays: Histogram) {
    this.#delays = delays
    socket.on('message', (msg) => this.#onPacket(msg))
  }

  /** firstPacket resolves when the first RTP packet arrives. */
  firstPacket(): Promise<number> {
    if (this.firstPacketAt !== undefined) return Promise.resolve(this.firstPacketAt)
    return new Promise((resolve) => (this.#onFirst = () => resolve(this.firstPacketAt!)))
  }

  #onPacket(raw: Buffer): void {
    if (raw.length < 12 || isRtcp(raw)) return
    const now = monoMs()
    const header = rtpHeaderLength(raw)
    if (header < 0) return
    const packet = this.srtp ? this.srtp.unprotectRtp(raw, header) : raw
    if (this.firstPacketAt === undefined) {
      this.firstPacketAt = now
      this.#onFirst?.()
    }
    if (packet.length >= header + STAMP) this.#delays.record(now - packet.readDoubleBE(packet.length - STAMP))
    const ssrc = packet.readUInt32BE(8)
    const seq = packet.readUInt16BE(2)
    const s = this.#streams.get(ssrc)
    if (!s) {
      this.#streams.set(ssrc, { maxSeq: seq, baseSeq: seq - 1, received: 1 })
      return
    }
    s.received++
    // Extend the 16-bit sequence number around the highest one seen.
    let ext = (s.maxSeq & ~0xffff) | seq
    if (ext < s.maxSeq - 0x8000) ext += 0x10000
    else if (ext > s.maxSeq + 0x8000) ext -= 0x10000
    if (ext > s.maxSeq) s.maxSeq = ext
  }

  /** streams is how many SSRCs have arrived so far. */
  get streams(): number {
    return this.#streams.size
  }

  /** counts returns packets received and expected (by sequence numbers) since the last resetWindow. */
  counts(): SubscriberCounts {
    let received = 0
    let expected = 0
    for (const s of this.#streams.values()) {
      received += s.received
      expected += s.maxSeq - s.baseSeq
    }
    return { received, expected }
  }

  /** resetWindow starts a new counting window at the streams' current positions. */
  resetWindow(): void {
    for (const s of this.#streams.values()) {
      s.baseSeq = s.maxSeq
      s.received = 0
    }
  }
}
