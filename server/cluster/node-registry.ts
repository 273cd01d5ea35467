// Lists the live nodes of the cluster: those whose announcement has not expired (presence.ts).
import { keys } from './keys.ts'
import type { NodeAnnouncement } from './presence.ts'
import { luaScript, type RedisLink } from './redis-link.ts'

/** Forgets names whose announcement is gone, checked inside Redis so a node announcing meanwhile stays. */
const FORGET_SILENT = luaScript(`
for i, name in ipairs(ARGV) do
  if redis.call('EXISTS', KEYS[1] .. name) == 0 then redis.call('SREM', KEYS[2], name) end
end
return 0`)

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0
const LOAD_FIELDS = ['cpu', 'cores', 'workers', 'rooms', 'participants', 'consumers'] as const

/** readAnnouncement returns a stored announcement, or undefined when it is not JSON of the expected shape. */
export function readAnnouncement(body: string): NodeAnnouncement | undefined {
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const a = value as Record<string, unknown>
  const load = a.load as Record<string, unknown> | null | undefined
  const ok =
    typeof a.name === 'string' && typeof a.url === 'string' && typeof a.mediaAddress === 'string' && typeof a.version === 'string' &&
    isCount(a.startedAt) && isCount(a.announcedAt) && typeof a.draining === 'boolean' &&
    typeof load === 'object' && load !== null && LOAD_FIELDS.every((f) => isCount(load[f]))
  return ok ? (value as NodeAnnouncement) : undefined
}

/** liveNodes returns every node whose announcement is current, by name. Throws ClusterError('redis_unavailable'). */
export async function liveNodes(link: RedisLink): Promise<NodeAnnouncement[]> {
  const names = (await link.command<string[]>(['SMEMBERS', keys.nodes])).sort()
  if (names.length === 0) return []
  const bodies = await link.command<(string | null)[]>(['MGET', ...names.map((n) => keys.node(n))])
  const live: NodeAnnouncement[] = []
  const gone: string[] = []
  names.forEach((name, i) => {
    const body = bodies[i]
    if (!body) gone.push(name)
    else {
      const announcement = readAnnouncement(body)
      // What another node wrote may be damaged or of a shape this release does not know: such a node
      // is not placed on (its meetings cannot be judged), and one bad entry must not hide the others.
      if (announcement) live.push(announcement)
    }
  })
  // A name whose announcement expired is forgotten; if that node comes back, it adds itself again.
  if (gone.length > 0) await link.eval(FORGET_SILENT, [keys.node(''), keys.nodes], gone).catch(() => undefined)
  return live
}
