// The Redis a cluster's nodes share answers this node (address, TLS, password), and is a Redis 7:
// found here, a wrong cluster.redisUrl costs a minute instead of every new meeting being refused.
import { ConfigError } from '../../../config/load.ts'
import { ClusterError } from '../../../server/cluster/errors.ts'
import { liveNodes } from '../../../server/cluster/node-registry.ts'
import { RedisLink } from '../../../server/cluster/redis-link.ts'
import { clusterSettings } from '../../../server/cluster/settings.ts'
import { redisVersion } from '../../../server/cluster/status.ts'
import type { Check } from '../check.ts'

const WAIT_MS = 3000

export const clusterRedisCheck: Check = {
  name: 'cluster-redis',
  title: 'Cluster: Redis',
  async run(ctx) {
    let settings
    try {
      settings = clusterSettings(ctx.config())
    } catch (err) {
      if (err instanceof ConfigError) return { status: 'error', message: err.message }
      throw err
    }
    if (!settings) return { status: 'ok', message: 'not configured (cluster.redisUrl is empty): a single box' }
    const link = RedisLink.open({ url: settings.redisUrl, password: settings.redisPassword, clientName: 'veche:doctor', commandTimeoutMs: WAIT_MS })
    try {
      await link.ready(WAIT_MS)
      const version = await redisVersion(link)
      const nodes = await liveNodes(link)
      const others = nodes.filter((n) => n.name !== settings.nodeName).map((n) => n.name)
      const summary = `Redis ${version} at ${link.url} answers; node ${settings.nodeName}; other live nodes: ${others.length ? others.join(', ') : 'none'}`
      if (Number(version.split('.')[0]) < 7) return { status: 'warning', message: `${summary}; Veche is tested with Redis 7 (Debian 12's redis-server): upgrade it` }
      return { status: 'ok', message: summary }
    } catch (err) {
      // The message names Redis, cluster.redisUrl and, for a refused password, where to set it.
      if (err instanceof ClusterError) return { status: 'error', message: err.message }
      throw err
    } finally {
      await link.close()
    }
  },
}
