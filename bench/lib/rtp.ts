// RTP and RTCP as the synthetic peers need them: write an RTP header, read the fields the receiver
// counts, and find keyframe requests (PLI, FIR) in a compound RTCP packet. RFC 3550, 4585, 5104.

export const RTP_HEADER = 12

/** isRtcp tells RTCP from RTP on a muxed port (RFC 5761: payload types 64-95 after masking). */
export function isRtcp(packet: Buffer): boolean {
  const pt = packet[1]! & 0x7f
  return packet.length >= 8 && pt >= 64 && pt <= 95
}

/** writeRtpHeader fills the 12-byte fixed header at the start of `packet`. */
export function writeRtpHeader(
  packet: Buffer,
  pt: number,
  marker: boolean,
  seq: number,
  timestamp: number,
  ssrc: number,
  hasExtension = false,
): void {
  packet[0] = hasExtension ? 0x90 : 0x80
  packet[1] = (marker ? 0x80 : 0) | pt
  packet.writeUInt16BE(seq & 0xffff, 2)
  packet.writeUInt32BE(timestamp >>> 0, 4)
  packet.writeUInt32BE(ssrc >>> 0, 8)
}

/** rtpHeaderLength returns the size of the header incl. CSRCs and extension, or -1 if malformed. */
export function rtpHeaderLength(packet: Buffer): number {
  if (packet.length < RTP_HEADER) return -1
  let len = RTP_HEADER + (packet[0]! & 0x0f) * 4
  if (packet[0]! & 0x10) {
    if (packet.length < len + 4) return -1
    len += 4 + packet.readUInt16BE(len + 2) * 4
  }
  return len <= packet.length ? len : -1
}

export const rtpSeq = (packet: Buffer): number => packet.readUInt16BE(2)
export const rtpSsrc = (packet: Buffer): number => packet.readUInt32BE(8)

const NTP_EPOCH_OFFSET = 2208988800

/**
 * senderReport returns an RTCP Sender Report (RFC 3550 6.4.1, no report blocks) for `ssrc` at
 * wall-clock `nowMs`, whose RTP time is `rtpTimestamp`. mediasoup needs one per simulcast stream
 * before it lets a consumer switch between layers (it maps their timestamps through them).
 */
export function senderReport(ssrc: number, nowMs: number, rtpTimestamp: number, packets: number, octets: number): Buffer {
  const sr = Buffer.alloc(28)
  sr[0] = 0x80
  sr[1] = 200
  sr.writeUInt16BE(6, 2)
  sr.writeUInt32BE(ssrc >>> 0, 4)
  const seconds = Math.floor(nowMs / 1000)
  sr.writeUInt32BE((seconds + NTP_EPOCH_OFFSET) >>> 0, 8)
  sr.writeUInt32BE(Math.floor(((nowMs % 1000) / 1000) * 0x100000000) >>> 0, 12)
  sr.writeUInt32BE(rtpTimestamp >>> 0, 16)
  sr.writeUInt32BE(packets >>> 0, 20)
  sr.writeUInt32BE(octets >>> 0, 24)
  return sr
}

/**
 * keyFrameRequests returns the media SSRCs that a compound RTCP packet asks keyframes for:
 * PLI (PT 206, FMT 1: media SSRC in the common header) and FIR (PT 206, FMT 4: one SSRC per entry).
 */
export function keyFrameRequests(rtcp: Buffer, end = rtcp.length): number[] {
  const out: number[] = []
  let off = 0
  while (off + 4 <= end) {
    const fmt = rtcp[off]! & 0x1f
    const pt = rtcp[off + 1]!
    const len = (rtcp.readUInt16BE(off + 2) + 1) * 4
    if (off + len > end) break
    if (pt === 206 && fmt === 1 && len >= 12) out.push(rtcp.readUInt32BE(off + 8))
    if (pt === 206 && fmt === 4) for (let e = off + 12; e + 8 <= off + len; e += 8) out.push(rtcp.readUInt32BE(e))
    off += len
  }
  return out
}
