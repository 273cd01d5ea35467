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

/** liveNodes returns every node whose announcement is current, by name. Throws ClusterError('redis_unavailable'). */
export async function liveNodes(link: RedisLink): Promise<NodeAnnouncement[]> {
  const names = (await link.command<string[]>(['SMEMBERS', keys.nodes])).sort()
  if (names.length === 0) return []
  const bodies = await link.command<(string | null)[]>(['MGET', ...names.map((n) => keys.node(n))])
  const live: NodeAnnouncement[] = []
  const gone: string[] = []
  names.forEach((name, i) => {
    const body = bodies[i]
    if (body) live.push(JSON.parse(body) as NodeAnnouncement)
    else gone.push(name)
  })
  // A name whose announcement expired is forgotten; if that node comes back, it adds itself again.
  if (gone.length > 0) await link.eval(FORGET_SILENT, [keys.node(''), keys.nodes], gone).catch(() => undefined)
  return live
}
