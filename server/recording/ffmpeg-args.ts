// What ffmpeg is told: the SDP describing the relay's streams, and the command line that mixes the
// audio slots, scales the shown picture to the output size, and encodes H.264 + AAC to a
// fragmented MP4 file (recording) or to FLV over RTMP(S) (streaming).
import { AUDIO_PT, VIDEO_PT, type RelayOutputs } from './rtp-relay.ts'

export interface EncodeSettings {
  width: number
  height: number
  frameRate: number
  /** kbit/s */
  videoBitrate: number
  /** kbit/s */
  audioBitrate: number
}

/** inputSdp describes one VP8 stream and the Opus slots, all arriving on loopback. */
export function inputSdp(outputs: RelayOutputs): string {
  const lines = [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    's=Veche',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=video ${outputs.video} RTP/AVP ${VIDEO_PT}`,
    `a=rtpmap:${VIDEO_PT} VP8/90000`,
    'a=recvonly',
  ]
  for (const port of outputs.audio) {
    lines.push(`m=audio ${port} RTP/AVP ${AUDIO_PT}`, `a=rtpmap:${AUDIO_PT} opus/48000/2`, 'a=recvonly')
  }
  return `${lines.join('\r\n')}\r\n`
}

/** inputArgs reads the SDP from `sdpFile`; packets are timed by arrival so all streams share one clock. */
function inputArgs(sdpFile: string): string[] {
  return [
    '-hide_banner', '-nostats', '-loglevel', 'warning',
    '-protocol_whitelist', 'file,udp,rtp',
    // The relay's streams carry no RTCP sender reports; arrival time is the common clock.
    '-use_wallclock_as_timestamps', '1',
    // The placeholder keyframe arrives at once; a short probe keeps the start latency low.
    '-analyzeduration', '1000000', '-probesize', '1000000',
    '-reorder_queue_size', '64',
    '-thread_queue_size', '1024',
    '-i', sdpFile,
  ]
}

/**
 * filterGraphs: video and audio in separate graphs, because ffmpeg rebuilds a whole graph when an
 * input's frame size changes (another camera, a simulcast layer): audio must not restart with it.
 */
function filterGraphs(settings: EncodeSettings, audioSlots: number): [video: string, audio: string] {
  const { width, height, frameRate } = settings
  const video =
    `[0:v:0]scale=${width}:${height}:force_original_aspect_ratio=decrease,` +
    `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=0x202124,setsar=1,fps=${frameRate},format=yuv420p[v]`
  // Each slot is made gap-free against its arrival times; the mix then counts samples for its clock,
  // since amix's own timestamps follow slot 0's jitter and can step backwards.
  const slots = Array.from({ length: audioSlots }, (_, i) => `[0:a:${i}]aresample=48000:async=1000:first_pts=0[a${i}]`)
  const mix = `${Array.from({ length: audioSlots }, (_, i) => `[a${i}]`).join('')}amix=inputs=${audioSlots}:normalize=0:dropout_transition=0,asetpts=N/SR/TB[a]`
  return [video, [...slots, mix].join(';')]
}

function encodeArgs(settings: EncodeSettings, audioSlots: number): string[] {
  const { frameRate, videoBitrate, audioBitrate } = settings
  return [
    ...filterGraphs(settings, audioSlots).flatMap((graph) => ['-filter_complex', graph]),
    '-map', '[v]', '-map', '[a]',
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'main',
    '-b:v', `${videoBitrate}k`, '-maxrate', `${videoBitrate}k`, '-bufsize', `${videoBitrate * 2}k`,
    // A keyframe every two seconds: fragments and stream joins never wait long.
    '-g', String(frameRate * 2), '-keyint_min', String(frameRate * 2), '-sc_threshold', '0',
    '-c:a', 'aac', '-b:a', `${audioBitrate}k`, '-ar', '48000', '-ac', '2',
  ]
}

/**
 * recordArgs writes a fragmented MP4: each second is a self-contained fragment, so a killed ffmpeg
 * leaves a file that plays up to its last second; a clean stop adds the index at the end.
 */
export function recordArgs(sdpFile: string, outFile: string, settings: EncodeSettings, audioSlots: number): string[] {
  return [
    ...inputArgs(sdpFile),
    ...encodeArgs(settings, audioSlots),
    '-movflags', '+frag_keyframe+empty_moov+default_base_moof',
    '-frag_duration', '1000000',
    // Each finished fragment goes to disk at once, not when ffmpeg's write buffer happens to fill.
    '-flush_packets', '1',
    '-f', 'mp4', '-y', outFile,
  ]
}

/** streamArgs publishes to an RTMP(S) server as FLV, the format every streaming service ingests. */
export function streamArgs(sdpFile: string, target: string, settings: EncodeSettings, audioSlots: number): string[] {
  return [
    ...inputArgs(sdpFile),
    ...encodeArgs(settings, audioSlots),
    '-tune', 'zerolatency',
    '-rw_timeout', '10000000',
    '-f', 'flv', target,
  ]
}
