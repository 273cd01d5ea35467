// The bench's SfuTarget over an app built in this test process: rooms through the REST API, peers
// through the real signaling WebSocket, so the synthetic peers of bench/ can drive a test server.
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import type { SfuSession, SfuTarget, TargetProcesses } from '../../../bench/lib/targets/target.ts'
import { VecheSession } from '../../../bench/lib/targets/veche.ts'
import { VecheSignaling } from '../../../bench/lib/targets/veche-signaling.ts'
import { ensureLocalTls } from '../../../server/tls/local-ca.ts'
import { build, createOwner, tempDir } from '../../helper.ts'

export interface AppTarget extends SfuTarget {
  app: FastifyInstance
  /** The server's CA certificate, for clients. */
  ca: string
}

/** appTarget builds a listening https app with `set` config flags and wraps it as an SfuTarget. */
export async function appTarget(t: Test, set: string[]): Promise<AppTarget> {
  const tls = ensureLocalTls(join(tempDir(t), 'tls'), ['localhost', '127.0.0.1'])
  const app = await build(t, { https: { key: tls.key, cert: tls.cert }, set })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  const owner = await createOwner(app)
  return {
    name: 'veche',
    app,
    ca: tls.caCert!,
    async createRoom(): Promise<string> {
      const res = await app.inject({ method: 'POST', url: '/api/rooms', headers: { cookie: owner }, payload: { title: 'Plain' } })
      return (res.json() as { room: { id: string } }).room.id
    },
    async connect(room: string): Promise<SfuSession> {
      return new VecheSession(await VecheSignaling.connect(`wss://127.0.0.1:${port}/api/rooms/${room}/signal`, tls.caCert!))
    },
    processes(): TargetProcesses {
      return { control: process.pid, workers: app.workerPool.live().map((w) => w.pid) }
    },
    async close(): Promise<void> {
      await app.close()
    },
  }
}
