// Streaming a meeting to a real RTMP server on loopback (nginx with its RTMP module): what arrives
// is checked with ffprobe; killing the server gives the host an error and leaves no ffmpeg behind.
import t from 'tap'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { probeFile } from '../../../server/recording/probe.ts'
import type { StreamingState } from '../../../server/signaling/protocol.ts'
import { tempDir } from '../../helper.ts'
import type { SignalingClient } from '../../signaling-client.ts'
import { joinWithFfmpeg } from './ffmpeg-participant.ts'
import { harness, pidAlive } from './harness.ts'
import { startRtmpServer } from './rtmp-server.ts'

const run = promisify(execFile)

/** streamState waits (up to timeoutMs) for a streamingState notification that matches. */
async function streamState(client: SignalingClient, match: (s: StreamingState) => boolean, timeoutMs = 20_000): Promise<StreamingState> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = client.notifications.find((n) => n.notification === 'streamingState' && match(n.data as StreamingState))
    if (found) return found.data as StreamingState
    if (Date.now() > deadline) {
      const seen = client.notifications.filter((n) => n.notification === 'streamingState').map((n) => JSON.stringify(n.data))
      throw new Error(`no matching streamingState in ${timeoutMs} ms; seen:\n${seen.join('\n')}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}

t.test('a host streams to an RTMP server; killing it gives the host an error and leaves no process', async (t) => {
  const h = await harness(t, { set: ['streaming.reconnectAttempts=2', 'streaming.reconnectDelaySeconds=0.5'] })
  const rtmp = await startRtmpServer(t)
  const roomId = await h.newRoom('Трансляция')
  const olga = await h.join(roomId, { cookie: h.owner })
  const guest = await h.join(roomId, { guest: 'Зритель' })
  const speaker = await joinWithFfmpeg(h.liveRoom(roomId), 'Камера')
  t.teardown(() => speaker.stop())

  t.match(await guest.request('startStreaming', { url: rtmp.url, key: 'k' }), { ok: false, error: { code: 'forbidden' } }, 'guests may not stream')
  t.match(await olga.request('startStreaming', { url: 'http://example.com/x' }), { ok: false, error: { code: 'bad_request' } })
  const start = await olga.request('startStreaming', { url: rtmp.url, key: 'planerka' })
  t.match(start, { ok: true, data: { status: 'connecting', allowed: true } }, JSON.stringify(start.error))
  await streamState(olga, (s) => s.status === 'live')
  await streamState(guest, (s) => s.status === 'live')
  t.pass('the host and the others see the stream go live')
  const [streamer] = h.app.capture.runningPids()

  // What the RTMP server received: a few seconds of it, copied off the server, then probed.
  const received = join(tempDir(t), 'received.mp4')
  await run('ffmpeg', ['-v', 'error', '-rw_timeout', '10000000', '-i', `${rtmp.url}/planerka`, '-t', '3', '-c', 'copy', '-y', received], { timeout: 30_000 })
  const probe = await probeFile('ffprobe', received)
  t.match(probe, { video: { codec: 'h264', width: 320, height: 240 }, audio: { codec: 'aac', channels: 2 } }, 'audio and video arrive')
  t.ok(probe.durationMs >= 2500, `${probe.durationMs} ms received`)

  await rtmp.kill()
  const dropped = await streamState(olga, (s) => s.status === 'reconnecting')
  t.match(dropped.problem, { code: 'stream_dropped' }, 'the host is told the stream dropped')
  const gaveUp = await streamState(olga, (s) => s.status === 'off' && s.problem !== null)
  t.match(gaveUp.problem, { code: 'connection_refused', message: /after 2 reconnect attempts/ }, 'then that it stopped after retrying')
  t.same(h.app.capture.runningPids(), [], 'no streamer is left running')
  t.notOk(pidAlive(streamer!), 'the streamer that was live is gone')
  t.equal(h.app.capture.activeStreams, 0)

  // The server comes back: the host can start again, and stop.
  const again = await startRtmpServer(t, rtmp.port)
  t.match(await olga.request('startStreaming', { url: again.url, key: 'planerka' }), { ok: true })
  olga.notifications.length = 0
  await streamState(olga, (s) => s.status === 'live')
  t.match(await olga.request('stopStreaming'), { ok: true, data: { status: 'off', problem: null } })
  t.same(h.app.capture.runningPids(), [])
})

t.test('an admin preset: the host starts without entering anything, and the key stays secret', async (t) => {
  const rtmp = await startRtmpServer(t)
  const h = await harness(t, { set: [`streaming.url=${rtmp.url}`, 'streaming.key=secret-key', 'streaming.reconnectAttempts=0'] })
  const olga = await h.join(await h.newRoom(), { cookie: h.owner })
  const state = await olga.request('captureState')
  t.match(state, { ok: true, data: { streaming: { preset: true, allowed: true } } })
  t.notMatch(JSON.stringify(state), /secret-key/, 'the key is never sent to a browser')
  t.match(await olga.request('startStreaming', {}), { ok: true })
  await streamState(olga, (s) => s.status === 'live')
  await rtmp.kill()
  const off = await streamState(olga, (s) => s.status === 'off' && s.problem !== null)
  t.match(off.problem, { code: 'stream_dropped' }, 'with no reconnects allowed it stops at once, saying why')
  t.same(h.app.capture.runningPids(), [])
})
