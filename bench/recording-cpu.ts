// Prints what one recording and one live stream cost in CPU on this machine, with the shipped
// defaults (1280x720 at 25 fps): the ffmpeg's own CPU time, and the relay's share of the server
// process, over a steady window. The participant is an ffmpeg sending a camera-sized test pattern.
// Run: bin/veche-node bench/recording-cpu.ts [--source 640x480] [--seconds 20]
import { readFileSync } from 'node:fs'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { loadConfig } from '../config/load.ts'
import { RecordingJob } from '../server/recording/recording-job.ts'
import { StreamingJob } from '../server/recording/streaming-job.ts'
import { runningFfmpegPids } from '../server/recording/ffmpeg-process.ts'
import { RoomRegistry } from '../server/sfu/room-registry.ts'
import { WorkerPool } from '../server/sfu/worker-pool.ts'
import { joinWithFfmpeg } from '../test/server/recording/ffmpeg-participant.ts'
import { startRtmpServer } from '../test/server/recording/rtmp-server.ts'

const { values } = parseArgs({ options: { source: { type: 'string', default: '640x480' }, seconds: { type: 'string', default: '20' } } })
const [sw, sh] = values.source!.split('x').map(Number) as [number, number]
const seconds = Number(values.seconds)
const TICK = 100 // USER_HZ

/** cpuSeconds: user + system time of `pid` so far, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / TICK
}

async function measure(label: string, pid: number): Promise<void> {
  await new Promise((r) => setTimeout(r, 5000)) // past start-up and the first keyframes
  const a = cpuSeconds(pid)
  const n = cpuSeconds(process.pid)
  await new Promise((r) => setTimeout(r, seconds * 1000))
  const ffmpeg = ((cpuSeconds(pid) - a) / seconds) * 100
  const node = ((cpuSeconds(process.pid) - n) / seconds) * 100
  console.log(`${label.padEnd(10)} ffmpeg ${ffmpeg.toFixed(0).padStart(3)}% of one core; server process (relay + mediasoup API) ${node.toFixed(1)}%`)
}

const config = loadConfig()
const log = pino({ level: 'warn' })
const pool = await WorkerPool.create({ count: 1, logLevel: 'warn', listenIp: '127.0.0.1', announcedAddress: '127.0.0.1', basePort: 0 }, log)
const registry = new RoomRegistry(pool, { chatHistory: 10, maxIncomingBitrate: 5_000_000, plainTransports: { listenIp: '127.0.0.1', announcedIp: '127.0.0.1' } }, log)
const room = await registry.open('bench', 'Bench')
const speaker = await joinWithFfmpeg(room, 'Camera', { width: sw, height: sh })
const dir = mkdtempSync(join(tmpdir(), 'veche-bench-rec-'))
const r = config.recording
const settings = { width: r.width, height: r.height, frameRate: r.frameRate, audioBitrate: r.audioKbps }
console.log(`source ${sw}x${sh} VP8 + Opus; output ${r.width}x${r.height} at ${r.frameRate} fps, H.264 veryfast + AAC, ${r.audioSlots} audio slots; ${seconds} s window on ${(await import('node:os')).cpus().length} cores`)

try {
  const recording = await RecordingJob.start({
    room, file: join(dir, 'bench.mp4'), chatFile: join(dir, 'bench.chat.txt'), title: 'Bench', ffmpeg: r.ffmpeg,
    settings: { ...settings, videoBitrate: r.videoKbps }, audioSlots: r.audioSlots, log,
  })
  await measure('recording', recording.pid)
  await recording.stop(null)

  const rtmp = await startRtmpServer({ teardown: () => undefined })
  const stream = await StreamingJob.start({
    room, target: `${rtmp.url}/bench`, ffmpeg: r.ffmpeg, settings: { ...settings, videoBitrate: config.streaming.videoKbps },
    audioSlots: r.audioSlots, reconnectAttempts: 0, reconnectDelayMs: 0, log,
  })
  await measure('stream', stream.pid!)
  await stream.stop(null)
  await rtmp.kill()
} finally {
  await speaker.stop()
  room.close()
  pool.close()
  rmSync(dir, { recursive: true, force: true })
  if (runningFfmpegPids().length > 0) console.error('ffmpeg left running:', runningFfmpegPids())
}
