import type { Command } from 'commander'
import { ClusterError } from '../../server/cluster/errors.ts'
import { RedisLink } from '../../server/cluster/redis-link.ts'
import { clusterSettings } from '../../server/cluster/settings.ts'
import { clusterStatus } from '../../server/cluster/status.ts'
import { formatStatus } from '../cluster/format-status.ts'
import { configFrom, withConfigOptions, type ConfigFlags } from '../config-options.ts'
import { CliError } from '../errors.ts'

/** How long the command waits for Redis before saying it is unavailable. */
const WAIT_MS = 3000

export function registerClusterStatus(cluster: Command): void {
  withConfigOptions(cluster.command('status').description("the cluster's live nodes (load, version, state) and meetings (node, lease age), read from Redis"))
    .option('--json', 'print the status as JSON')
    .action(async (flags: ConfigFlags & { json?: boolean }) => {
      const settings = clusterSettings(configFrom(flags))
      if (!settings) throw new CliError('this server is not part of a cluster: cluster.redisUrl is empty (set it, the same on every node, to make one)')
      const link = RedisLink.open({ url: settings.redisUrl, password: settings.redisPassword, clientName: 'veche:cli', commandTimeoutMs: WAIT_MS })
      try {
        await link.ready(WAIT_MS)
        const status = await clusterStatus(link)
        process.stdout.write(flags.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status))
      } catch (err) {
        if (err instanceof ClusterError) throw new CliError(err.message)
        throw err
      } finally {
        await link.close()
      }
    })
}
