// VP8 RTP packets as a browser camera sends them, for tests that drive the real media worker over a
// PlainTransport: a payload descriptor (RFC 7741 4.2) with the picture id, TL0PICIDX and temporal
// layer the worker renumbers and filters per receiver.
import { rtpHeaderLength, writeRtpHeader } from '../../../bench/lib/rtp.ts'

export const VP8_PT = 96

export interface Vp8Packet {
  ssrc: number
  seq: number
  pictureId: number
  tl0PicIdx: number
  temporalLayer: number
  start: boolean
  marker: boolean
  keyFrame: boolean
}

/** vp8Packet builds the RTP packet: 15-bit picture id, TL0PICIDX, TID with the layer-sync bit. */
export function vp8Packet(p: Vp8Packet): Buffer {
  const packet = Buffer.alloc(12 + 6 + 20)
  writeRtpHeader(packet, VP8_PT, p.marker, p.seq, p.pictureId * 3000, p.ssrc)
  packet[12] = 0x80 | (p.start ? 0x10 : 0) // X, S, partition 0
  packet[13] = 0xe0 // I (picture id), L (TL0PICIDX), T (TID)
  packet[14] = 0x80 | ((p.pictureId >> 8) & 0x7f)
  packet[15] = p.pictureId & 0xff
  packet[16] = p.tl0PicIdx & 0xff
  packet[17] = (p.temporalLayer << 6) | 0x20 // TID, Y (layer sync)
  packet[18] = p.keyFrame ? 0x00 : 0x01 // VP8 payload header: P bit clear on a key frame
  return packet
}

/** vp8PictureId reads the 15-bit picture id of a packet the worker sent (after its header extensions). */
export function vp8PictureId(packet: Buffer): number {
  const at = rtpHeaderLength(packet)
  return ((packet[at + 2]! & 0x7f) << 8) | packet[at + 3]!
}
