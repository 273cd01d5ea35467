// A meeting participant made of ffmpeg: a test pattern and a tone, VP8 + Opus over plain RTP into
// the room (the way mediasoup's broadcaster examples feed a room), so recorder tests need no browser.
import { spawn, type ChildProcess } from 'node:child_process'
import type { types } from 'mediasoup'
import { Peer } from '../../../server/sfu/peer.ts'
import type { Room } from '../../../server/sfu/room.ts'

export interface FfmpegParticipant {
  peer: Peer
  process: ChildProcess
  stop(): Promise<void>
}

/** joinWithFfmpeg adds a participant named `name` that sends `width`x`height` video and a tone. */
let nextSsrc = 1000

export async function joinWithFfmpeg(room: Room, name: string, options: { width?: number; height?: number; video?: boolean } = {}): Promise<FfmpegParticipant> {
  const { width = 320, height = 240, video = true } = options
  const audioSsrc = nextSsrc++
  const videoSsrc = nextSsrc++
  const peer = new Peer({ displayName: name, kind: 'internal', userId: undefined, notify: () => undefined })
  room.addPeer(peer)
  // One transport per stream: with comedia each locks onto the first sender's address.
  const audioT = await room.createPlainTransport(peer, 'send', false, true)
  const videoT = video ? await room.createPlainTransport(peer, 'send', false, true) : undefined
  const opus: types.RtpParameters = {
    codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
    encodings: [{ ssrc: audioSsrc }],
  }
  const vp8: types.RtpParameters = {
    codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
    encodings: [{ ssrc: videoSsrc }],
  }
  await room.produce(peer, audioT.id, 'audio', opus, 'mic')
  if (videoT) await room.produce(peer, videoT.id, 'video', vp8, 'camera')
  const args = ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000']
  if (videoT) args.push('-re', '-f', 'lavfi', '-i', `testsrc=size=${width}x${height}:rate=15`)
  args.push('-map', '0:a', '-c:a', 'libopus', '-b:a', '48k', '-ssrc', String(audioSsrc), '-payload_type', '100', '-f', 'rtp', `rtp://127.0.0.1:${audioT.tuple.localPort}?pkt_size=1200`)
  if (videoT) {
    args.push('-map', '1:v', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-g', '15',
      '-ssrc', String(videoSsrc), '-payload_type', '101', '-f', 'rtp', `rtp://127.0.0.1:${videoT.tuple.localPort}?pkt_size=1200`)
  }
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'inherit'] })
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  return {
    peer,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    },
  }
}
