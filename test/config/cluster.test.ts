// The cluster section: empty by default (a single box), each wrong value refused with a message naming
// the key and how to write it, the Redis password from the setting, VECHE_REDIS_PASSWORD or a file.
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { ConfigError, loadConfig } from '../../config/load.ts'
import { redactSecrets } from '../../config/redact.ts'
import { clusterSettings } from '../../server/cluster/settings.ts'
import { tempDir } from '../helper.ts'

t.test('defaults: no cluster, nothing else read', async (t) => {
  const config = loadConfig()
  t.same(config.cluster, { redisUrl: '', redisPassword: '', redisPasswordFile: '', nodeName: '', nodeUrl: '', mediaAddress: '' })
  t.equal(clusterSettings(config), undefined, 'a single box')
  t.doesNotThrow(() => loadConfig({ set: ['cluster.nodeUrl=not a url'] }), 'without redisUrl the other keys are not judged')
})

t.test('settings with the machine defaults filled in', async (t) => {
  const config = loadConfig({ set: ['cluster.redisUrl=redis://redis.corp.example:6379/2', 'media.announcedAddress=10.0.0.7', 'server.port=9443'] })
  t.same(clusterSettings(config), {
    redisUrl: 'redis://redis.corp.example:6379/2',
    redisPassword: undefined,
    nodeName: hostname(),
    nodeUrl: `https://${hostname()}:9443`,
    mediaAddress: '10.0.0.7',
  })
  const named = loadConfig({
    set: ['cluster.redisUrl=rediss://redis.corp.example', 'cluster.nodeName=node1', 'cluster.nodeUrl=https://node1.corp.example:8443', 'cluster.mediaAddress=10.0.0.11'],
  })
  t.match(clusterSettings(named), { nodeName: 'node1', nodeUrl: 'https://node1.corp.example:8443', mediaAddress: '10.0.0.11' })
})

t.test('wrong values name the key and the fix', async (t) => {
  const refused = (set: string[]): string => {
    try {
      loadConfig({ set })
    } catch (err) {
      if (err instanceof ConfigError) return err.message
      throw err
    }
    return 'accepted'
  }
  t.match(refused(['cluster.redisUrl=http://redis:6379']), /^cluster\.redisUrl must start with redis:\/\/ or rediss:\/\/ \(TLS\), got http:\/\/: write it as redis:\/\/host:6379 \(from --set\)$/)
  t.match(refused(['cluster.redisUrl=redis:6379']), /^cluster\.redisUrl names no host/)
  t.match(refused(['cluster.redisUrl=nonsense']), /^cluster\.redisUrl "nonsense" is not a URL: write it as redis:\/\/host:6379/)
  t.match(refused(['cluster.redisUrl=redis://r/x']), /^cluster\.redisUrl path \/x is not a database number/)
  t.match(refused(['cluster.redisUrl=redis://r', 'cluster.nodeName=node 1']), /^cluster\.nodeName "node 1" may hold only letters, digits/)
  t.match(refused(['cluster.redisUrl=redis://r', 'cluster.nodeUrl=http://node1:8443']), /^cluster\.nodeUrl "http:\/\/node1:8443" must be this node's https:\/\/ address .* e\.g\. https:\/\/node1\.corp\.example:8443 \(from --set\)$/)
  t.match(refused(['cluster.redisUrl=redis://r', 'cluster.mediaAddress=node1.corp']), /^cluster\.mediaAddress "node1\.corp" must be an IP address/)
  const dir = tempDir(t)
  const file = join(dir, 'veche.yaml')
  writeFileSync(file, 'cluster:\n  redisUrl: redis://r\n  mediaAddress: somewhere\n')
  t.match(refused([]), 'accepted')
  t.throws(() => loadConfig({ file }), { message: new RegExp(`cluster\\.mediaAddress .* \\(in ${file.replace(/[.]/g, '\\.')}\\)$`) }, 'the source is named')
})

t.test('the Redis password: setting, VECHE_REDIS_PASSWORD, its own variable, a file; hidden when printed', async (t) => {
  const url = 'cluster.redisUrl=redis://redis.corp.example'
  t.equal(clusterSettings(loadConfig({ set: [url, 'cluster.redisPassword=inline'] }))?.redisPassword, 'inline')
  t.equal(clusterSettings(loadConfig({ set: [url], env: { VECHE_REDIS_PASSWORD: 'from-env' } }))?.redisPassword, 'from-env')
  t.equal(
    clusterSettings(loadConfig({ set: [url], env: { VECHE_REDIS_PASSWORD: 'short', VECHE_CLUSTER_REDIS_PASSWORD: 'long' } }))?.redisPassword,
    'long',
    "the key's own variable wins over the short one",
  )
  const dir = tempDir(t)
  const file = join(dir, 'redis-password')
  writeFileSync(file, 'from file\nignored\n', { mode: 0o600 })
  t.equal(clusterSettings(loadConfig({ set: [url, `cluster.redisPasswordFile=${file}`] }))?.redisPassword, 'from file')
  t.equal(clusterSettings(loadConfig({ set: [url, `cluster.redisPasswordFile=${file}`, 'cluster.redisPassword=inline'] }))?.redisPassword, 'inline', 'the setting wins over the file')
  t.throws(() => clusterSettings(loadConfig({ set: [url, `cluster.redisPasswordFile=${join(dir, 'missing')}`] })), { message: /^cannot read cluster\.redisPasswordFile / })
  const shown = redactSecrets(loadConfig({ set: ['cluster.redisUrl=redis://:secret@r:6379', 'cluster.redisPassword=inline'] })).cluster
  t.equal(shown.redisUrl, 'redis://:***@r:6379')
  t.equal(shown.redisPassword, '(set, hidden)')
})
