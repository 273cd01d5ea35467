// The media worker's WebRtcServer under what users do: leave over ICE-TCP (the server closes the
// transport while the browser's TCP connection is still open) hundreds of times without the worker
// growing, and close with meetings still on it without killing the worker. Both fail on mediasoup
// 3.12.16 as published; build/mediasoup-worker/patches/ fixes them (see FIXES.md there).
import t, { type Test } from 'tap'
import type { types } from 'mediasoup'
import { checkIceUdp, connectIceTcp, type IceTcpConnection } from '../../../bench/lib/ice-client.ts'
import { rssBytes } from '../../../bench/lib/proc.ts'
import { mediaCodecs } from '../../../server/sfu/media-codecs.ts'
import { WorkerPool, type MediaWorker } from '../../../server/sfu/worker-pool.ts'

const quiet = { info() {}, warn() {}, error() {}, debug() {} }

async function startWorker(t: Test): Promise<{ mw: MediaWorker; router: types.Router; died: string[] }> {
  const pool = await WorkerPool.create({ count: 1, logLevel: 'error', listenIp: '127.0.0.1', announcedAddress: '127.0.0.1', basePort: 0 }, quiet)
  t.teardown(() => pool.close())
  const mw = pool.get(0)!
  const died: string[] = []
  mw.worker.on('died', (err: Error) => died.push(err.message))
  const router = await mw.worker.createRouter({ mediaCodecs })
  return { mw, router, died }
}

/** transport creates a WebRtcTransport the way a room does (server/sfu/room.ts). */
function transport(router: types.Router, mw: MediaWorker): Promise<types.WebRtcTransport> {
  return router.createWebRtcTransport({ webRtcServer: mw.webRtcServer, enableUdp: true, enableTcp: true, preferUdp: true })
}

function port(tr: types.WebRtcTransport, protocol: 'udp' | 'tcp'): number {
  return tr.iceCandidates.find((c) => c.protocol === protocol)!.port
}

/** joinOverTcp opens an ICE-TCP connection to `tr` and passes its connectivity check. */
function joinOverTcp(tr: types.WebRtcTransport): Promise<IceTcpConnection> {
  return connectIceTcp('127.0.0.1', port(tr, 'tcp'), tr.iceParameters)
}

/** leave closes `tr` server-side while the client's TCP connection is open, then drops the client. */
async function leave(tr: types.WebRtcTransport, conn: IceTcpConnection): Promise<void> {
  tr.close()
  await Promise.race([conn.ended, new Promise((r) => setTimeout(r, 1000))])
  conn.socket.destroy()
}

async function churn(router: types.Router, mw: MediaWorker, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const tr = await transport(router, mw)
    await leave(tr, await joinOverTcp(tr))
  }
}

t.test('ICE-TCP leaves closed by the server do not grow the media worker', async (t) => {
  const { mw, router, died } = await startWorker(t)

  // The first leave is a real one: the check made the transport connected over TCP.
  const tr = await transport(router, mw)
  const connected = new Promise<string>((resolve) => tr.on('icestatechange', (s) => (s === 'connected' || s === 'completed') && resolve(s)))
  const conn = await joinOverTcp(tr)
  await connected
  t.equal(tr.iceSelectedTuple?.protocol, 'tcp', 'the connectivity check selected the ICE-TCP tuple')
  await leave(tr, conn)

  // Warm up the allocator, then count what 300 more leaves keep.
  await churn(router, mw, 60)
  await new Promise((r) => setTimeout(r, 200))
  const before = rssBytes(mw.pid)
  const leaves = 300
  await churn(router, mw, leaves)
  await new Promise((r) => setTimeout(r, 200))
  const after = rssBytes(mw.pid)
  const perLeave = (after - before) / leaves
  t.comment(`worker VmRSS ${(before / 1048576).toFixed(1)} MB -> ${(after / 1048576).toFixed(1)} MB over ${leaves} leaves: ${(perLeave / 1024).toFixed(1)} KB per leave`)
  // Unfixed, every leave keeps the connection and its 64 KiB read buffer (~40 KB resident).
  t.ok(perLeave < 4096, `worker memory stays flat: ${(perLeave / 1024).toFixed(1)} KB per leave (under 4 KB)`)
  t.same(died, [], 'the worker is alive')
})

t.test('closing the media server with meetings on it leaves the worker running', async (t) => {
  const { mw, router, died } = await startWorker(t)

  // Three people: one on ICE-TCP, one on UDP, one still connecting.
  const overTcp = await transport(router, mw)
  const tcpConn = await joinOverTcp(overTcp)
  const overUdp = await transport(router, mw)
  const udpSocket = await checkIceUdp('127.0.0.1', port(overUdp, 'udp'), overUdp.iceParameters)
  t.teardown(() => udpSocket.close())
  const connecting = await transport(router, mw)

  mw.webRtcServer.close()
  await Promise.race([tcpConn.ended, new Promise((r) => setTimeout(r, 1000))])
  tcpConn.socket.destroy()
  await new Promise((r) => setTimeout(r, 300))

  t.same(died, [], 'the worker did not die')
  t.ok(overTcp.closed && overUdp.closed && connecting.closed, 'the transports on the closed server are closed')
  const dump = await mw.worker.dump()
  t.same(dump.webRtcServerIds, [], 'the worker answers and holds no media server')
  t.same((await router.dump()).transportIds, [], 'the router holds no transports')

  // The same worker takes a new media server and new people.
  const server = await mw.worker.createWebRtcServer({ listenInfos: [{ protocol: 'tcp', ip: '127.0.0.1' }] })
  const again = await router.createWebRtcTransport({ webRtcServer: server, enableUdp: false, enableTcp: true })
  const conn = await joinOverTcp(again)
  t.pass('a new media server on the same worker passes an ICE-TCP check')
  await leave(again, conn)
  server.close()
})
