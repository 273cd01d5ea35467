// Owns this node's presence in the cluster: its announcement, written every ANNOUNCE_EVERY_MS with a
// time to live, so a node that stops announcing (killed, paused, cut off) is gone NODE_TTL_MS later
// by Redis's own clock (no clock of ours is compared with another node's).
import type { NodeLoad } from './node-load.ts'
import { keys } from './keys.ts'
import type { RedisLink } from './redis-link.ts'

export const ANNOUNCE_EVERY_MS = 2000
/** Three announcements missed: a busy event loop may delay one, not three. */
export const NODE_TTL_MS = 3 * ANNOUNCE_EVERY_MS

/** What a node tells the others about itself; JSON in Redis. Fields are only ever added (nodes of N and N+1 read each other's). */
export interface NodeAnnouncement {
  name: string
  /** How other nodes and browsers reach this node (cluster.nodeUrl). */
  url: string
  /** Where other nodes send piped media (cluster.mediaAddress). */
  mediaAddress: string
  version: string
  /** Unix ms on the node's clock. */
  startedAt: number
  announcedAt: number
  /** A draining node takes no new meetings; its running ones continue. */
  draining: boolean
  load: NodeLoad
}

export interface PresenceOptions {
  link: RedisLink
  self: Omit<NodeAnnouncement, 'announcedAt' | 'load' | 'draining'>
  /** measure returns the node's current load; called before every announcement. */
  measure: () => Promise<NodeLoad>
  everyMs?: number
  ttlMs?: number
}

export interface Presence {
  /** announce writes the announcement now; throws ClusterError('redis_unavailable'). */
  announce(): Promise<void>
  /** setDraining changes what the next announcements say (and announces at once, best effort). */
  setDraining(draining: boolean): void
  /** stop ends the announcements and removes the node from the registry at once (best effort). */
  stop(): Promise<void>
}

/** startPresence announces the node now and every `everyMs` until stop(); failures wait for the next turn (the link logs them). */
export function startPresence(options: PresenceOptions): Presence {
  const everyMs = options.everyMs ?? ANNOUNCE_EVERY_MS
  const ttlMs = options.ttlMs ?? NODE_TTL_MS
  const { link, self } = options
  let draining = false
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let inFlight: Promise<void> = Promise.resolve()

  const announce = async (): Promise<void> => {
    const body: NodeAnnouncement = { ...self, announcedAt: Date.now(), draining, load: await options.measure() }
    await link.command(['SET', keys.node(self.name), JSON.stringify(body), 'PX', String(ttlMs)])
    await link.command(['SADD', keys.nodes, self.name])
  }
  const turn = (): void => {
    inFlight = announce()
      .catch(() => undefined)
      .finally(() => {
        if (!stopped) timer = setTimeout(turn, everyMs)
      })
  }
  turn()

  return {
    announce,
    setDraining(value) {
      draining = value
      announce().catch(() => undefined)
    },
    async stop() {
      stopped = true
      clearTimeout(timer)
      await inFlight
      await link.command(['DEL', keys.node(self.name)]).catch(() => undefined)
    },
  }
}
