// Makes this server a node of a cluster when cluster.redisUrl is set: connects to Redis, announces the
// node with its load until shutdown, and keeps the meeting leases it will hold. Without the setting it
// registers nothing: a single box runs as before.
//
// Placement is not wired into joins yet (see placement.ts for the plan): `app.cluster` offers it to the
// join path that will call it once the repositories run on PostgreSQL.
import fp from 'fastify-plugin'
import type { Config } from '../../config/schema.ts'
import { VERSION } from '../version.ts'
import { LeaseKeeper, LEASE_TTL_MS } from './lease-keeper.ts'
import { createLeaseStore, type LeaseStore } from './lease-store.ts'
import { createLoadMeter } from './node-load.ts'
import { liveNodes } from './node-registry.ts'
import { placeMeeting, type Placement } from './placement.ts'
import { startPresence, type Presence } from './presence.ts'
import { RedisLink } from './redis-link.ts'
import { clusterSettings, type ClusterSettings } from './settings.ts'

export interface ClusterNode {
  settings: ClusterSettings
  link: RedisLink
  presence: Presence
  leases: LeaseKeeper
  store: LeaseStore
  /** place returns the node a meeting lives on, placing it if no live node holds it. Throws ClusterError. */
  place(meetingId: string): Promise<Placement>
}

declare module 'fastify' {
  interface FastifyInstance {
    /** undefined on a single box (cluster.redisUrl empty). */
    cluster: ClusterNode | undefined
  }
}

/** How long start waits for Redis before serving anyway (the node announces itself once Redis answers). */
const START_WAIT_MS = 2000

export interface ClusterPluginOptions {
  config: Pick<Config, 'cluster' | 'server' | 'media'>
  /** Tests: shorter periods. */
  announceEveryMs?: number
  nodeTtlMs?: number
}

export default fp<ClusterPluginOptions>(
  async (app, { config, announceEveryMs, nodeTtlMs }) => {
    const settings = clusterSettings(config)
    if (!settings) {
      app.decorate('cluster', undefined)
      return
    }
    const log = app.log.child({ component: 'cluster', node: settings.nodeName })
    const link = RedisLink.open({ url: settings.redisUrl, password: settings.redisPassword, clientName: `veche:${settings.nodeName}`, log })
    await link.ready(START_WAIT_MS).catch(() => undefined) // logged by the link; serving goes on
    const store = createLeaseStore(link)
    const leases = new LeaseKeeper({ store, nodeName: settings.nodeName })
    leases.on('lost', (meetingId, reason) => log.warn({ meetingId, reason }, 'meeting lease lost'))
    const presence = startPresence({
      link,
      self: { name: settings.nodeName, url: settings.nodeUrl, mediaAddress: settings.mediaAddress, version: VERSION, startedAt: Date.now() },
      measure: createLoadMeter({ registry: app.roomRegistry, pool: app.workerPool }).measure,
      ...(announceEveryMs ? { everyMs: announceEveryMs } : {}),
      ...(nodeTtlMs ? { ttlMs: nodeTtlMs } : {}),
    })
    log.info({ redis: link.url, nodeUrl: settings.nodeUrl }, 'cluster node announcing itself')
    app.decorate('cluster', {
      settings,
      link,
      presence,
      leases,
      store,
      place: async (meetingId: string) => placeMeeting(store, await liveNodes(link), meetingId, LEASE_TTL_MS),
    } satisfies ClusterNode)
    // Leave the cluster on shutdown: the announcement goes at once (not after its ttl), the leases too.
    app.addHook('preClose', async () => {
      await presence.stop()
      await leases.close()
    })
    app.addHook('onClose', async () => link.close())
  },
  { name: 'cluster', dependencies: ['sfu'] },
)
