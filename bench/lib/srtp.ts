// SRTP keys for synthetic peers, and a Node implementation of AES_CM_128_HMAC_SHA1_80 (RFC 3711)
// for the Node receive side (join latency, and where no C sink is built): protect outgoing RTP,
// unprotect incoming RTP and SRTCP. Load steps protect and unprotect in the C sink instead
// (bench/sink/srtp-session.c, libsrtp2), which also does the AEAD GCM suites.
// Incoming packets are decrypted here but not authenticated: the peer only counts and times them, and
// checking HMACs would spend the generator's core on work the server does not see.
import { createCipheriv, createHmac, randomBytes } from 'node:crypto'

export const SRTP_SUITE = 'AES_CM_128_HMAC_SHA1_80'
const TAG = 10

/** The suites browsers negotiate, in mediasoup's names; master key + salt bytes of each. */
export const SRTP_SUITES = { AES_CM_128_HMAC_SHA1_80: 30, AEAD_AES_128_GCM: 28, AEAD_AES_256_GCM: 44 } as const
export type SrtpSuite = keyof typeof SRTP_SUITES

export interface SrtpParameters {
  cryptoSuite: SrtpSuite
  keyBase64: string
}

/** keyHex returns the master key and salt of `params` in hex, as the C sink takes them. */
export const keyHex = (params: SrtpParameters): string => Buffer.from(params.keyBase64, 'base64').toString('hex')

interface SessionKeys {
  enc: Buffer
  auth: Buffer
  salt: Buffer
}

/** deriveKeys runs the AES-CM PRF of RFC 3711 4.3.1 (key derivation rate 0) for labels base..base+2. */
function deriveKeys(masterKey: Buffer, masterSalt: Buffer, base: number): SessionKeys {
  const prf = (label: number, length: number): Buffer => {
    const iv = Buffer.alloc(16)
    masterSalt.copy(iv, 0)
    iv[7]! ^= label
    const c = createCipheriv('aes-128-ctr', masterKey, iv)
    return c.update(Buffer.alloc(length))
  }
  return { enc: prf(base, 16), auth: prf(base + 1, 20), salt: prf(base + 2, 14) }
}

/** ivFor builds the AES-CM counter block: salt XOR ssrc (bytes 4-7) XOR 48-bit index (bytes 8-13). */
function ivFor(salt: Buffer, ssrc: number, index: number): Buffer {
  const iv = Buffer.alloc(16)
  salt.copy(iv, 0)
  iv.writeUInt32BE((iv.readUInt32BE(4) ^ ssrc) >>> 0, 4)
  const hi = Math.floor(index / 0x100000000)
  iv.writeUInt16BE(iv.readUInt16BE(8) ^ (hi & 0xffff), 8)
  iv.writeUInt32BE((iv.readUInt32BE(10) ^ (index >>> 0)) >>> 0, 10)
  return iv
}

/** newSrtpParameters returns a fresh random master key and salt for `suite` in mediasoup's format. */
export function newSrtpParameters(suite: SrtpSuite = SRTP_SUITE): SrtpParameters {
  return { cryptoSuite: suite, keyBase64: randomBytes(SRTP_SUITES[suite]).toString('base64') }
}

/** One direction of an SRTP session: the key material of the side that encrypts. */
export class SrtpContext {
  readonly #rtp: SessionKeys
  readonly #rtcp: SessionKeys
  /** Rollover counters and highest sequence numbers per SSRC, for incoming RTP. */
  readonly #rx = new Map<number, { roc: number; seq: number }>()
  /** Rollover counters per SSRC, for outgoing RTP. */
  readonly #tx = new Map<number, { roc: number; seq: number }>()
  #rtcpIndex = 0

  constructor(params: SrtpParameters) {
    if (params.cryptoSuite !== SRTP_SUITE) throw new Error(`the Node SRTP path does ${SRTP_SUITE} only, not ${params.cryptoSuite}: use the C sink (bench/sink, needs cc and libsrtp2-dev)`)
    const material = Buffer.from(params.keyBase64, 'base64')
    const key = material.subarray(0, 16)
    const salt = material.subarray(16, 30)
    this.#rtp = deriveKeys(key, salt, 0)
    this.#rtcp = deriveKeys(key, salt, 3)
  }

  /** protectRtp returns the SRTP packet for a plain RTP packet whose header is `headerLength` bytes. */
  protectRtp(packet: Buffer, headerLength: number): Buffer {
    const ssrc = packet.readUInt32BE(8)
    const seq = packet.readUInt16BE(2)
    let s = this.#tx.get(ssrc)
    if (!s) this.#tx.set(ssrc, (s = { roc: 0, seq }))
    else if (seq < s.seq && s.seq - seq > 0x8000) s.roc++
    s.seq = seq
    const index = s.roc * 0x10000 + seq
    const out = Buffer.allocUnsafe(packet.length + TAG)
    packet.copy(out, 0, 0, headerLength)
    const c = createCipheriv('aes-128-ctr', this.#rtp.enc, ivFor(this.#rtp.salt, ssrc, index))
    c.update(packet.subarray(headerLength)).copy(out, headerLength)
    const roc = Buffer.allocUnsafe(4)
    roc.writeUInt32BE(s.roc >>> 0, 0)
    createHmac('sha1', this.#rtp.auth).update(out.subarray(0, packet.length)).update(roc).digest().copy(out, packet.length, 0, TAG)
    return out
  }

  /** protectRtcp returns the SRTCP packet for a compound RTCP packet (encrypted after the first 8 bytes). */
  protectRtcp(packet: Buffer): Buffer {
    const index = this.#rtcpIndex
    this.#rtcpIndex = (this.#rtcpIndex + 1) & 0x7fffffff
    const out = Buffer.allocUnsafe(packet.length + 4 + TAG)
    packet.copy(out, 0, 0, 8)
    const c = createCipheriv('aes-128-ctr', this.#rtcp.enc, ivFor(this.#rtcp.salt, packet.readUInt32BE(4), index))
    c.update(packet.subarray(8)).copy(out, 8)
    out.writeUInt32BE((0x80000000 | index) >>> 0, packet.length)
    createHmac('sha1', this.#rtcp.auth).update(out.subarray(0, packet.length + 4)).digest().copy(out, packet.length + 4, 0, TAG)
    return out
  }

  /** unprotectRtp returns the plain RTP packet (payload decrypted, tag removed); header length as given. */
  unprotectRtp(packet: Buffer, headerLength: number): Buffer {
    const ssrc = packet.readUInt32BE(8)
    const seq = packet.readUInt16BE(2)
    let s = this.#rx.get(ssrc)
    let roc: number
    if (!s) {
      this.#rx.set(ssrc, (s = { roc: 0, seq }))
      roc = 0
    } else {
      roc = s.roc
      if (s.seq - seq > 0x8000) roc = s.roc + 1
      else if (seq - s.seq > 0x8000) roc = s.roc - 1
      if (roc > s.roc || (roc === s.roc && seq > s.seq)) {
        s.roc = roc
        s.seq = seq
      }
    }
    const end = packet.length - TAG
    const out = Buffer.allocUnsafe(end)
    packet.copy(out, 0, 0, headerLength)
    const c = createCipheriv('aes-128-ctr', this.#rtp.enc, ivFor(this.#rtp.salt, ssrc, roc * 0x10000 + seq))
    c.update(packet.subarray(headerLength, end)).copy(out, headerLength)
    return out
  }

  /** unprotectRtcp returns the plain compound RTCP packet of an SRTCP packet (RFC 3711 3.4). */
  unprotectRtcp(packet: Buffer): Buffer {
    const end = packet.length - TAG - 4
    if (end < 8) return Buffer.alloc(0)
    const word = packet.readUInt32BE(end)
    const out = Buffer.allocUnsafe(end)
    packet.copy(out, 0, 0, 8)
    if (word & 0x80000000) {
      const c = createCipheriv('aes-128-ctr', this.#rtcp.enc, ivFor(this.#rtcp.salt, packet.readUInt32BE(4), word & 0x7fffffff))
      c.update(packet.subarray(8, end)).copy(out, 8)
    } else {
      packet.copy(out, 8, 8, end)
    }
    return out
  }
}
