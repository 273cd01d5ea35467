// What one synthetic participant sends, modelled on a browser on a 720p camera: Opus audio in 20 ms
// packets and VP8 simulcast with libwebrtc's default layers for a 1280x720 capture
// (webrtc/video/config/simulcast.cc: 320x180 at 150 kbps, 640x360 at 500 kbps, 1280x720 at
// 2500 kbps, 30 fps each). Packets carry at most MAX_PAYLOAD bytes of VP8, as libwebrtc's
// packetizer does on a 1500-byte MTU.

export const AUDIO_PT = 100
export const VIDEO_PT = 101
export const AUDIO_LEVEL_EXT_ID = 1
export const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level'

/** Opus at ~40 kbit/s: 100 payload bytes every 20 ms. */
export const AUDIO = { packetsPerSecond: 50, payloadBytes: 100, clockRate: 48000 }

export interface VideoLayer {
  rid: string
  width: number
  height: number
  bitrate: number
  fps: number
}

export const VIDEO_LAYERS: readonly VideoLayer[] = [
  { rid: 'q', width: 320, height: 180, bitrate: 150_000, fps: 30 },
  { rid: 'h', width: 640, height: 360, bitrate: 500_000, fps: 30 },
  { rid: 'f', width: 1280, height: 720, bitrate: 2_500_000, fps: 30 },
]

export const MAX_PAYLOAD = 1180
/** A keyframe is this many times an average frame (libwebrtc's keyframes run 4-10x on a still scene). */
export const KEYFRAME_FACTOR = 5

/** frameBytes is the average encoded frame of `layer`. */
export const frameBytes = (layer: VideoLayer): number => Math.round(layer.bitrate / 8 / layer.fps)

/** packetsPerFrame is how many RTP packets carry a frame of `bytes`. */
export const packetsPerFrame = (bytes: number): number => Math.max(1, Math.ceil(bytes / MAX_PAYLOAD))

/** Packets per second one publisher sends, and one subscriber of it receives (top layer + audio). */
export function packetRates(): { sent: number; forwardedPerSubscriber: number } {
  const video = VIDEO_LAYERS.map((l) => packetsPerFrame(frameBytes(l)) * l.fps)
  return { sent: AUDIO.packetsPerSecond + video.reduce((a, b) => a + b, 0), forwardedPerSubscriber: AUDIO.packetsPerSecond + video.at(-1)! }
}

/** The RTP parameters a publisher announces for `produce` (SSRCs chosen by the publisher). */
export function audioRtpParameters(ssrc: number, cname: string): object {
  return {
    codecs: [{ mimeType: 'audio/opus', payloadType: AUDIO_PT, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 } }],
    headerExtensions: [{ uri: AUDIO_LEVEL_URI, id: AUDIO_LEVEL_EXT_ID }],
    encodings: [{ ssrc }],
    rtcp: { cname, reducedSize: true },
  }
}

export function videoRtpParameters(ssrcs: number[], cname: string): object {
  return {
    codecs: [
      {
        mimeType: 'video/VP8',
        payloadType: VIDEO_PT,
        clockRate: 90000,
        rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
      },
    ],
    headerExtensions: [],
    encodings: ssrcs.map((ssrc) => ({ ssrc })),
    rtcp: { cname, reducedSize: true },
  }
}

/** What a synthetic subscriber can receive: Opus and VP8, with keyframe requests, no header extensions. */
export const SUBSCRIBER_RTP_CAPABILITIES = {
  codecs: [
    { kind: 'audio', mimeType: 'audio/opus', preferredPayloadType: AUDIO_PT, clockRate: 48000, channels: 2, rtcpFeedback: [] },
    {
      kind: 'video',
      mimeType: 'video/VP8',
      preferredPayloadType: VIDEO_PT,
      clockRate: 90000,
      rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
    },
  ],
  headerExtensions: [],
}
