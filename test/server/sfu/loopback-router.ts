// One real media worker and router on loopback for tests that drive raw RTP through mediasoup, and the
// UDP sockets that play the browsers' ends.
import dgram from 'node:dgram'
import type { Test } from 'tap'
import type { types } from 'mediasoup'
import { mediaCodecs } from '../../../server/sfu/media-codecs.ts'
import { WorkerPool } from '../../../server/sfu/worker-pool.ts'

const quiet = { info() {}, warn() {}, error() {}, debug() {} }

/** startRouter starts one worker with Veche's codecs; it is closed when `t` ends. */
export async function startRouter(t: Test): Promise<types.Router> {
  const pool = await WorkerPool.create({ count: 1, logLevel: 'error', listenIp: '127.0.0.1', announcedAddress: '127.0.0.1', basePort: 0 }, quiet)
  t.teardown(() => pool.close())
  return pool.get(0)!.worker.createRouter({ mediaCodecs })
}

/** bindUdp returns a UDP socket bound to a free loopback port. */
export function bindUdp(): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4')
  return new Promise((resolve) => socket.bind(0, '127.0.0.1', () => resolve(socket)))
}
