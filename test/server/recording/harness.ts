// A listening app with recording and streaming licensed, a room, and helpers to wait for what
// participants are told: the common ground of the recording and streaming tests.
import type { Test } from 'tap'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { Feature } from '../../../license-keys/claims.ts'
import type { Room } from '../../../server/sfu/room.ts'
import { ensureLocalTls } from '../../../server/tls/local-ca.ts'
import { build, createMember, createOwner, tempDir } from '../../helper.ts'
import { SignalingClient } from '../../signaling-client.ts'

export interface Harness {
  app: FastifyInstance
  owner: string
  /** A second employee: neither the recorder nor the room's owner. */
  member: string
  newRoom(title?: string): Promise<string>
  signal(roomId: string, cookie?: string): Promise<SignalingClient>
  /** join connects and joins (as the cookie's employee, or as guest `name`). */
  join(roomId: string, who: { cookie: string } | { guest: string }): Promise<SignalingClient>
  liveRoom(roomId: string): Room
}

/** Settings that keep ffmpeg light on a 2-core machine. */
export const LIGHT = ['recording.width=320', 'recording.height=240', 'recording.frameRate=15', 'recording.videoKbps=300', 'recording.audioSlots=2', 'recording.minFreeMb=1']

export async function harness(t: Test, options: { features?: Feature[]; set?: string[] } = {}): Promise<Harness> {
  const tls = ensureLocalTls(join(tempDir(t), 'tls'), ['localhost', '127.0.0.1'])
  const app = await build(t, {
    https: { key: tls.key, cert: tls.cert },
    set: ['media.plainTransports=true', ...LIGHT, ...(options.set ?? [])],
    license: { features: options.features ?? ['recording', 'streaming'] },
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  const base = `wss://127.0.0.1:${port}`
  const owner = await createOwner(app)
  const member = await createMember(app, owner, 'boris@corp.example', 'Борис')
  const h: Harness = {
    app,
    owner,
    member,
    async newRoom(title = 'Планёрка') {
      const res = await app.inject({ method: 'POST', url: '/api/rooms', headers: { cookie: owner }, payload: { title } })
      return res.json().room.id as string
    },
    async signal(roomId, cookie) {
      const client = await SignalingClient.connect(`${base}/api/rooms/${roomId}/signal`, cookie)
      t.teardown(() => client.close())
      return client
    },
    async join(roomId, who) {
      const client = await h.signal(roomId, 'cookie' in who ? who.cookie : undefined)
      const joined = await client.request('join', 'guest' in who ? { displayName: who.guest } : {})
      if (!joined.ok) throw new Error(`join failed: ${JSON.stringify(joined.error)}`)
      return client
    },
    liveRoom(roomId) {
      const room = app.roomRegistry.get(roomId)
      if (!room) throw new Error(`room ${roomId} is not live`)
      return room
    },
  }
  return h
}

/** pidAlive: the process exists (signal 0 checks without sending anything). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
