// Decides which node a meeting lives on: the one holding its lease, else the least-loaded live node
// that takes new meetings, which gets the lease (and must then renew it: lease-keeper.ts acquire()
// on that node keeps the same token).
//
// Not wired into joins yet. The plan, once the repositories run on PostgreSQL (issue 14, so every node
// reads the same rooms): a join asks placeMeeting(); if the answer is another node, the browser is
// told that node's URL (cluster.nodeUrl) and reconnects there; on the node itself, the join calls
// LeaseKeeper.acquire() then admit() before admitting anyone, and a ClusterError is answered as
// "new meetings refused" (redis_unavailable, no_node) or "meeting moved" (lease_lost) with its message.
// Failover: a killed node's meetings are taken over once its announcement expires (NODE_TTL_MS, 6 s),
// above the 3 s goal; the step after this one lets a node whose participants arrive saying
// their node vanished probe that node (its /healthz, a short timeout) and take the lease over at once.
import { ClusterError } from './errors.ts'
import type { LeaseStore } from './lease-store.ts'
import type { NodeAnnouncement } from './presence.ts'

/**
 * loadScore ranks a node for a new meeting, lower first: people per media worker, since a worker's
 * capacity (media.peersPerWorker) is what a node runs out of. CPU only breaks ties: it is measured over
 * the last announcement period and lags a burst of joins.
 */
export const loadScore = (node: NodeAnnouncement): number => node.load.participants / Math.max(1, node.load.workers)

/** chooseNode returns the least-loaded node that is not draining and runs media workers, or undefined. Ties: CPU, then name (so every node chooses alike). */
export function chooseNode(nodes: NodeAnnouncement[]): NodeAnnouncement | undefined {
  return nodes
    .filter((n) => !n.draining && n.load.workers > 0)
    .sort((a, b) => loadScore(a) - loadScore(b) || a.load.cpu - b.load.cpu || a.name.localeCompare(b.name))[0]
}

export interface Placement {
  /** The node the meeting lives on, and how to reach it. */
  node: string
  url: string | undefined
  token: number
  /** true when this call placed the meeting (it had no live holder). */
  placedNow: boolean
}

/**
 * placeMeeting returns where the meeting lives, placing it on the least-loaded live node when no live
 * node holds it (a lease whose holder stopped announcing is taken over with a higher token).
 * Throws ClusterError: no_node (all draining or silent), redis_unavailable.
 */
export async function placeMeeting(store: LeaseStore, nodes: NodeAnnouncement[], meetingId: string, ttlMs: number): Promise<Placement> {
  const current = await store.read(meetingId)
  const urlOf = (name: string): string | undefined => nodes.find((n) => n.name === name)?.url
  if (current && urlOf(current.node)) return { node: current.node, url: urlOf(current.node), token: current.token, placedNow: false }
  const chosen = chooseNode(nodes)
  if (!chosen) {
    const draining = nodes.filter((n) => n.draining).length
    throw new ClusterError('no_node', `no live node takes new meetings (${nodes.length} live, ${draining} of them draining): start another node, or let a draining one take meetings again`)
  }
  const { taken, lease } = await store.acquire(meetingId, chosen.name, ttlMs, { takeOverSilent: true })
  // Another node placed it between our read and our acquire: its choice stands.
  return { node: lease.node, url: urlOf(lease.node), token: lease.token, placedNow: taken && lease.node === chosen.name && lease.token !== current?.token }
}
