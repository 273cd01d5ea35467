// What the whole cluster looks like right now, read from Redis: the live nodes and the meeting leases.
// For `veche cluster status` and doctor; not for hot paths (it scans every lease).
import { createLeaseStore, type Lease } from './lease-store.ts'
import { liveNodes } from './node-registry.ts'
import type { NodeAnnouncement } from './presence.ts'
import type { RedisLink } from './redis-link.ts'

export interface ClusterStatus {
  redis: { url: string; version: string }
  /** Redis's clock, unix ms: lease ages are measured on it. */
  now: number
  nodes: NodeAnnouncement[]
  leases: (Lease & { ageMs: number; holderLive: boolean })[]
}

/** redisVersion returns the server's version from INFO server (e.g. 7.0.15). Throws ClusterError('redis_unavailable'). */
export async function redisVersion(link: RedisLink): Promise<string> {
  const info = await link.command<string>(['INFO', 'server'])
  return /redis_version:([^\r\n]+)/.exec(String(info))?.[1] ?? 'unknown'
}

/** clusterStatus reads the nodes and leases. Throws ClusterError('redis_unavailable'). */
export async function clusterStatus(link: RedisLink): Promise<ClusterStatus> {
  const [version, time, nodes, leases] = await Promise.all([
    redisVersion(link),
    link.command<[string, string]>(['TIME']),
    liveNodes(link),
    createLeaseStore(link).list(),
  ])
  const now = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000)
  const live = new Set(nodes.map((n) => n.name))
  return {
    redis: { url: link.url, version },
    now,
    nodes,
    leases: leases.map((l) => ({ ...l, ageMs: Math.max(0, now - l.since), holderLive: live.has(l.node) })),
  }
}
