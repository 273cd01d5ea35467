// Prints `veche cluster status` for people: one table of nodes, one of meetings.
import type { ClusterStatus } from '../../server/cluster/status.ts'

/** duration renders milliseconds as 4.2 s, 5m 03s, 2h 07m. */
export function duration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  const s = Math.floor(ms / 1000)
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h ${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  return [header, ...rows].map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n')
}

/** formatStatus returns the report; `now` is this machine's clock, for how long ago a node announced itself. */
export function formatStatus(status: ClusterStatus, now = Date.now()): string {
  const meetingsOf = (node: string): number => status.leases.filter((l) => l.node === node).length
  const lines = [`Cluster on Redis ${status.redis.version} at ${status.redis.url}: ${status.nodes.length} live node(s), ${status.leases.length} meeting(s)`, '']
  if (status.nodes.length === 0) lines.push('No live node: none has announced itself in the last few seconds.')
  else {
    lines.push(
      table(
        ['NODE', 'VERSION', 'STATE', 'CPU', 'WORKERS', 'ROOMS', 'PEOPLE', 'CONSUMERS', 'MEETINGS', 'SEEN', 'URL'],
        status.nodes.map((n) => [
          n.name,
          n.version,
          n.draining ? 'draining' : 'serving',
          `${Math.round(n.load.cpu * 100)}%`,
          String(n.load.workers),
          String(n.load.rooms),
          String(n.load.participants),
          String(n.load.consumers),
          String(meetingsOf(n.name)),
          `${duration(Math.max(0, now - n.announcedAt))} ago`,
          n.url,
        ]),
      ),
    )
  }
  if (status.leases.length > 0) {
    lines.push(
      '',
      table(
        ['MEETING', 'NODE', 'LEASE AGE', 'EXPIRES IN', 'TOKEN'],
        status.leases.map((l) => [l.meetingId, l.holderLive ? l.node : `${l.node} (silent)`, duration(l.ageMs), duration(l.ttlMs), String(l.token)]),
      ),
    )
  }
  return `${lines.join('\n')}\n`
}
