// Owns what the cluster section means once loaded: the defaults that depend on the machine (node name,
// node URL, media address) and the Redis password from the setting, its environment variable or file.
import { hostname } from 'node:os'
import { ConfigError } from '../../config/load.ts'
import { passwordSetting } from '../../config/password-setting.ts'
import { redactedUrl } from '../../config/redact.ts'
import type { Config } from '../../config/schema.ts'
import { detectAnnouncedAddress } from '../network.ts'

export interface ClusterSettings {
  redisUrl: string
  /** undefined: the URL's own (or none). */
  redisPassword: string | undefined
  nodeName: string
  nodeUrl: string
  mediaAddress: string
}

/** usesCluster tells whether the configuration makes this server a node of a cluster (a non-empty cluster.redisUrl). */
export const usesCluster = (config: Pick<Config, 'cluster'>): boolean => config.cluster.redisUrl !== ''

/** redisPassword returns cluster.redisPassword, else its file's first line; undefined when neither is set. Throws ConfigError naming cluster.redisPasswordFile. */
export const redisPassword = (cluster: Config['cluster']): string | undefined =>
  passwordSetting(cluster.redisPassword, cluster.redisPasswordFile, 'cluster.redisPasswordFile')

/** redactedRedisUrl is cluster.redisUrl fit for logs and messages: a password in it replaced, no trailing slash. */
export const redactedRedisUrl = (url: string): string => redactedUrl(url, 'cluster.redisUrl').replace(/\/$/, '')

/**
 * clusterSettings returns this node's cluster settings with the machine's defaults filled in, or
 * undefined for a single box (empty cluster.redisUrl). The form of each key was checked by loadConfig.
 * Throws ConfigError when the password file cannot be read or the host name cannot be a node name.
 */
export function clusterSettings(config: Pick<Config, 'cluster' | 'server' | 'media'>): ClusterSettings | undefined {
  const { cluster } = config
  if (!usesCluster(config)) return undefined
  const nodeName = cluster.nodeName || hostname()
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(nodeName)) {
    throw new ConfigError(`this machine's host name ${JSON.stringify(nodeName)} cannot name a node: set cluster.nodeName, e.g. node1`)
  }
  return {
    redisUrl: cluster.redisUrl,
    redisPassword: redisPassword(cluster),
    nodeName,
    nodeUrl: cluster.nodeUrl || `https://${nodeName}:${config.server.port}`,
    mediaAddress: cluster.mediaAddress || config.media.announcedAddress || detectAnnouncedAddress(),
  }
}
