// Owns the rules of the cluster section that a schema cannot say: each message names the setting and
// how to write it. Checked by loadConfig, so `veche serve`, `veche config check` and doctor agree.
import { isIP } from 'node:net'
import type { Config } from './schema.ts'

/** A node name goes into Redis keys, logs and metrics labels: letters, digits, dot, dash, underscore. */
const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/

/**
 * clusterProblem returns what is wrong with the cluster settings, or undefined when they can work.
 * With an empty redisUrl nothing else of the section is read, so nothing else is judged.
 */
export function clusterProblem(cluster: Config['cluster']): string | undefined {
  if (cluster.redisUrl === '') return undefined
  let url: URL
  try {
    url = new URL(cluster.redisUrl)
  } catch {
    return `cluster.redisUrl ${JSON.stringify(cluster.redisUrl)} is not a URL: write it as redis://host:6379 (or rediss:// for TLS)`
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    return `cluster.redisUrl must start with redis:// or rediss:// (TLS), got ${url.protocol}//: write it as redis://host:6379`
  }
  if (url.hostname === '') return 'cluster.redisUrl names no host: write it as redis://host:6379'
  if (url.pathname !== '' && url.pathname !== '/' && !/^\/\d{1,2}$/.test(url.pathname)) {
    return `cluster.redisUrl path ${url.pathname} is not a database number: leave it out or write /0 .. /15`
  }
  if (cluster.nodeName !== '' && !NODE_NAME.test(cluster.nodeName)) {
    return `cluster.nodeName ${JSON.stringify(cluster.nodeName)} may hold only letters, digits, '.', '-' and '_' (at most 63, starting with a letter or digit): e.g. node1`
  }
  if (cluster.nodeUrl !== '') {
    let node: URL | undefined
    try {
      node = new URL(cluster.nodeUrl)
    } catch {
      node = undefined
    }
    if (!node || node.protocol !== 'https:' || node.hostname === '') {
      return `cluster.nodeUrl ${JSON.stringify(cluster.nodeUrl)} must be this node's https:// address as other nodes and browsers reach it, e.g. https://node1.corp.example:8443`
    }
  }
  if (cluster.mediaAddress !== '' && isIP(cluster.mediaAddress) === 0) {
    return `cluster.mediaAddress ${JSON.stringify(cluster.mediaAddress)} must be an IP address the other nodes reach, e.g. 10.0.0.11; empty: media.announcedAddress`
  }
  return undefined
}
