// Prints how the media worker's memory (and this process's) moves over many joins and leaves, per way of
// leaving: ICE-TCP with the server closing first (a host removes someone, a room ends), ICE-TCP with the
// browser closing first, and UDP. Each join is a real WebRtcTransport on the worker's WebRtcServer,
// created as a room creates it, plus a real STUN connectivity check; each leave closes it.
// Run: bin/veche-node bench/worker-churn.ts [--leaves N]   (default 3000 per mode, ~1 min in all)
import { parseArgs } from 'node:util'
import type { types } from 'mediasoup'
import { checkIceUdp, connectIceTcp } from './lib/ice-client.ts'
import { rssBytes } from './lib/proc.ts'
import { mediaCodecs } from '../server/sfu/media-codecs.ts'
import { WorkerPool } from '../server/sfu/worker-pool.ts'

const { values } = parseArgs({ options: { leaves: { type: 'string', default: '3000' } } })
const leaves = Number(values.leaves)
const quiet = { info() {}, warn() {}, error() {}, debug() {} }
const mb = (b: number): string => (b / 1048576).toFixed(1)

type Mode = 'tcp, server closes first' | 'tcp, browser closes first' | 'udp'

async function once(router: types.Router, server: types.WebRtcServer, mode: Mode): Promise<void> {
  const tr = await router.createWebRtcTransport({ webRtcServer: server, enableUdp: true, enableTcp: true, preferUdp: true })
  const port = (p: string): number => tr.iceCandidates.find((c) => c.protocol === p)!.port
  if (mode === 'udp') {
    const socket = await checkIceUdp('127.0.0.1', port('udp'), tr.iceParameters)
    tr.close()
    socket.close()
    return
  }
  const conn = await connectIceTcp('127.0.0.1', port('tcp'), tr.iceParameters)
  if (mode === 'tcp, server closes first') {
    tr.close()
    await Promise.race([conn.ended, new Promise((r) => setTimeout(r, 1000))])
    conn.socket.destroy()
  } else {
    conn.socket.destroy()
    await new Promise((r) => setTimeout(r, 1))
    tr.close()
  }
}

const pool = await WorkerPool.create({ count: 1, logLevel: 'error', listenIp: '127.0.0.1', announcedAddress: '127.0.0.1', basePort: 0 }, quiet)
try {
  const mw = pool.get(0)!
  const router = await mw.worker.createRouter({ mediaCodecs })
  console.log(`worker pid ${mw.pid}, ${leaves} joins and leaves per mode`)
  console.log('| mode | worker VmRSS start -> end (MB) | per leave (KB) | this process RSS (MB) | V8 heap used (MB) | V8 heap total (MB) | external (MB) | s |')
  console.log('|---|---|---|---|---|---|---|---|')
  for (const mode of ['tcp, server closes first', 'tcp, browser closes first', 'udp'] as Mode[]) {
    for (let i = 0; i < 100; i++) await once(router, mw.webRtcServer, mode) // warm-up
    const t0 = performance.now()
    const w0 = rssBytes(mw.pid)
    const p0 = process.memoryUsage()
    for (let i = 0; i < leaves; i++) await once(router, mw.webRtcServer, mode)
    await new Promise((r) => setTimeout(r, 300))
    const w1 = rssBytes(mw.pid)
    const p1 = process.memoryUsage()
    const perLeave = ((w1 - w0) / leaves / 1024).toFixed(2)
    const secs = ((performance.now() - t0) / 1000).toFixed(1)
    console.log(`| ${mode} | ${mb(w0)} -> ${mb(w1)} | ${perLeave} | ${mb(p0.rss)} -> ${mb(p1.rss)} | ${mb(p0.heapUsed)} -> ${mb(p1.heapUsed)} | ${mb(p0.heapTotal)} -> ${mb(p1.heapTotal)} | ${mb(p0.external)} -> ${mb(p1.external)} | ${secs} |`)
  }
} finally {
  pool.close()
}
