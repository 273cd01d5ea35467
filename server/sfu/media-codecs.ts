// The codecs every room's router offers: Opus for audio, VP8 (simulcast-capable) for video.
import type { types } from 'mediasoup'

export const mediaCodecs: types.RtpCodecCapability[] = [
  {
    kind: 'audio',
    mimeType: 'audio/opus',
    clockRate: 48000,
    channels: 2,
    // In-band FEC lets a receiver rebuild a lost packet from the next one; DTX stops sending
    // during silence. Every sender (not only the web client, which also asks on produce) sees them.
    parameters: { useinbandfec: 1, usedtx: 1 },
  },
  {
    kind: 'video',
    mimeType: 'video/VP8',
    clockRate: 90000,
    // Start sending at a bitrate a typical office LAN carries without waiting for estimation to ramp up.
    parameters: { 'x-google-start-bitrate': 1000 },
  },
]
