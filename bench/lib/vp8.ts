// The VP8 RTP payload (RFC 7741) of a synthetic frame: a payload descriptor with a 15-bit picture
// id, TL0PICIDX and TID (as libwebrtc sends for simulcast), and on a frame's first packet the VP8
// payload header whose P bit tells a keyframe (what mediasoup's VP8 parser checks to switch layers).

/** Descriptor bytes: X|S|PID, I|L|T|K, M|picture id (15 bits), TL0PICIDX, TID|Y|KEYIDX. */
export const VP8_DESCRIPTOR = 6
/** Bytes of the VP8 payload header on a frame's first packet: 10 for a keyframe, 3 otherwise. */
export const vp8HeaderSize = (keyFrame: boolean): number => (keyFrame ? 10 : 3)

/** writeVp8 writes the descriptor (and, on a frame's first packet, the payload header) at `off`; returns the next offset. */
export function writeVp8(
  packet: Buffer,
  off: number,
  first: boolean,
  keyFrame: boolean,
  pictureId: number,
  tl0PicIdx: number,
  width: number,
  height: number,
): number {
  packet[off] = 0x80 | (first ? 0x10 : 0)
  packet[off + 1] = 0xe0 // I, L, T
  packet[off + 2] = 0x80 | ((pictureId >> 8) & 0x7f)
  packet[off + 3] = pictureId & 0xff
  packet[off + 4] = tl0PicIdx & 0xff
  packet[off + 5] = 0x20 // TID 0, Y (layer sync)
  off += VP8_DESCRIPTOR
  if (!first) return off
  // size0 (3 bits) | show_frame | version 0 | P (0: keyframe); then the rest of the partition size.
  packet[off] = 0x10 | (keyFrame ? 0 : 1)
  packet[off + 1] = 0x02
  packet[off + 2] = 0x00
  if (!keyFrame) return off + 3
  packet[off + 3] = 0x9d // keyframe start code
  packet[off + 4] = 0x01
  packet[off + 5] = 0x2a
  packet.writeUInt16LE(width & 0x3fff, off + 6)
  packet.writeUInt16LE(height & 0x3fff, off + 8)
  return off + 10
}
