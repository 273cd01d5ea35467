// Every Redis key the cluster uses, in one place: a node of release N and one of N+1 must agree on them,
// so a change here is a change of the cluster's wire format.
const PREFIX = 'veche:'

export const keys = {
  /** Set of node names that have announced themselves; a name whose node key expired is gone. */
  nodes: `${PREFIX}nodes`,
  /** JSON of one node's announcement; expires when the node falls silent. */
  node: (name: string) => `${PREFIX}node:${name}`,
  /** Hash {node, token, since} of the node holding a meeting; expires unless renewed. */
  lease: (meetingId: string) => `${PREFIX}lease:${meetingId}`,
  /** Pattern matching every lease (SCAN), and the part before the meeting id. */
  leasePattern: `${PREFIX}lease:*`,
  leasePrefix: `${PREFIX}lease:`,
  /** Counter the fencing tokens come from; never expires (see lease-store.ts). */
  fence: `${PREFIX}fence`,
}
