// The few RTP facts the relay needs: read a header, rewrite ssrc/pt/seq/timestamp in place, tell a
// VP8 keyframe's first packet, and build packets of our own (Opus silence, a placeholder picture).

/** isRtcp: RTCP shares the port (rtcp-mux); its packet types 192..223 sit where RTP's marker+PT is. */
export function isRtcp(packet: Buffer): boolean {
  return packet.length >= 2 && packet[1]! >= 192 && packet[1]! <= 223
}

export interface RtpHeader {
  ssrc: number
  seq: number
  timestamp: number
  payloadType: number
  marker: boolean
  /** Where the payload starts (after CSRCs and the header extension). */
  payloadOffset: number
  /** Where the payload ends (before padding). */
  payloadEnd: number
}

/** readRtp parses the fixed header; undefined for anything that is not version-2 RTP. */
export function readRtp(packet: Buffer): RtpHeader | undefined {
  if (packet.length < 12 || packet[0]! >> 6 !== 2) return undefined
  const csrcCount = packet[0]! & 0x0f
  let offset = 12 + csrcCount * 4
  if (packet[0]! & 0x10) {
    if (packet.length < offset + 4) return undefined
    offset += 4 + packet.readUInt16BE(offset + 2) * 4
  }
  let end = packet.length
  if (packet[0]! & 0x20) end -= packet[packet.length - 1]!
  if (offset > end) return undefined
  return {
    ssrc: packet.readUInt32BE(8),
    seq: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    payloadType: packet[1]! & 0x7f,
    marker: (packet[1]! & 0x80) !== 0,
    payloadOffset: offset,
    payloadEnd: end,
  }
}

/** rewriteRtp changes the packet in place: the relay gives each output a stream of its own. */
export function rewriteRtp(packet: Buffer, fields: { ssrc: number; payloadType: number; seq: number; timestamp: number }): void {
  packet[1] = (packet[1]! & 0x80) | fields.payloadType
  packet.writeUInt16BE(fields.seq & 0xffff, 2)
  packet.writeUInt32BE(fields.timestamp >>> 0, 4)
  packet.writeUInt32BE(fields.ssrc >>> 0, 8)
}

/**
 * isVp8KeyframeStart: the packet starts a VP8 keyframe (RFC 7741: S bit set, partition 0, and the
 * frame's P bit clear). A switch to another camera waits for one, or the decoder shows garbage.
 */
export function isVp8KeyframeStart(packet: Buffer, header: RtpHeader): boolean {
  let i = header.payloadOffset
  if (i >= header.payloadEnd) return false
  const first = packet[i]!
  const extended = (first & 0x80) !== 0
  const start = (first & 0x10) !== 0
  const partition = first & 0x07
  if (!start || partition !== 0) return false
  i += 1
  if (extended) {
    if (i >= header.payloadEnd) return false
    const x = packet[i]!
    i += 1
    if (x & 0x80) i += packet[i]! & 0x80 ? 2 : 1 // picture id, 7 or 15 bits
    if (x & 0x40) i += 1 // TL0PICIDX
    if (x & 0x30) i += 1 // TID / KEYIDX
  }
  if (i >= header.payloadEnd) return false
  return (packet[i]! & 0x01) === 0
}

/** buildRtp makes a packet with a plain 12-byte header. */
export function buildRtp(fields: { ssrc: number; payloadType: number; seq: number; timestamp: number; marker: boolean }, payload: Buffer): Buffer {
  const packet = Buffer.alloc(12 + payload.length)
  packet[0] = 0x80
  packet[1] = (fields.marker ? 0x80 : 0) | fields.payloadType
  packet.writeUInt16BE(fields.seq & 0xffff, 2)
  packet.writeUInt32BE(fields.timestamp >>> 0, 4)
  packet.writeUInt32BE(fields.ssrc >>> 0, 8)
  payload.copy(packet, 12)
  return packet
}

/** A 20 ms Opus frame of silence (CELT, fullband): what WebRTC stacks send for a muted track. */
export const OPUS_SILENCE = Buffer.from([0xf8, 0xff, 0xfe])

/** Largest VP8 payload per packet: well under any loopback or LAN MTU. */
const VP8_CHUNK = 1100

/** vp8Payloads splits one VP8 frame into RTP payloads, each with the 1-byte descriptor (S on the first). */
export function vp8Payloads(frame: Buffer): Buffer[] {
  const payloads: Buffer[] = []
  for (let at = 0; at < frame.length; at += VP8_CHUNK) {
    const chunk = frame.subarray(at, Math.min(frame.length, at + VP8_CHUNK))
    payloads.push(Buffer.concat([Buffer.from([at === 0 ? 0x10 : 0x00]), chunk]))
  }
  return payloads
}
