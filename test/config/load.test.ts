import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError, envName, loadConfig } from '../../config/load.ts'
import { tempDir } from '../helper.ts'

t.test('built-in defaults need no file', async (t) => {
  const c = loadConfig()
  t.equal(c.server.port, 8443)
  t.equal(c.media.port, 40000)
  t.equal(c.data.dir, 'data')
  t.equal(c.log.pretty, false)
  t.same(c.tls.hostnames, [])
})

t.test('file, then environment, then flags; untouched keys keep their defaults', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'veche.yaml')
  writeFileSync(file, 'server:\n  port: 9000\n  host: 127.0.0.1\nmedia:\n  port: 41000\n')
  const c = loadConfig({
    file,
    env: { VECHE_SERVER_PORT: '9100', VECHE_MEDIA_ANNOUNCED_ADDRESS: '10.0.0.5', PATH: '/bin' },
    set: ['server.port=9200', 'log.pretty=true', 'tls.hostnames=meet.corp,meet'],
  })
  t.equal(c.server.port, 9200, 'flag wins')
  t.equal(c.server.host, '127.0.0.1', 'file value kept')
  t.equal(c.media.port, 41000)
  t.equal(c.media.announcedAddress, '10.0.0.5', 'environment applied')
  t.equal(c.media.workers, 0, 'default kept')
  t.equal(c.log.pretty, true)
  t.same(c.tls.hostnames, ['meet.corp', 'meet'])
})

t.test('the example file is valid and equals the defaults', async (t) => {
  const example = loadConfig({ file: new URL('../../config/veche.example.yaml', import.meta.url).pathname })
  t.same(example, loadConfig())
})

t.test('unknown keys are refused with the key and its source', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'bad.yaml')
  writeFileSync(file, 'server:\n  prot: 9000\n')
  t.throws(() => loadConfig({ file }), new ConfigError(`unknown config key 'server.prot' (in ${file})`))
  writeFileSync(file, 'sever:\n  port: 9000\n')
  t.throws(() => loadConfig({ file }), { message: `unknown config section 'sever' (in ${file})` })
  t.throws(() => loadConfig({ env: { VECHE_SERVER_PROT: '1' } }), { message: 'unknown config environment variable VECHE_SERVER_PROT' })
  t.throws(() => loadConfig({ set: ['media.prot=1'] }), { message: "unknown config key 'media.prot' (from --set)" })
  t.throws(() => loadConfig({ set: ['nonsense'] }), { message: "--set expects section.key=value, got 'nonsense'" })
})

t.test('wrong types are refused naming the key, the value and its source', async (t) => {
  t.throws(() => loadConfig({ env: { VECHE_MEDIA_PORT: 'abc' } }), {
    name: 'ConfigError',
    message: /^config key 'media.port': expected integer, got null \(from environment VECHE_MEDIA_PORT\)$|^config key 'media.port': .*\(from environment VECHE_MEDIA_PORT\)$/,
  })
  t.throws(() => loadConfig({ set: ['server.port=70000'] }), { message: /^config key 'server.port': .*70000.*\(from --set\)$/ })
  t.throws(() => loadConfig({ set: ['log.level=loud'] }), { message: /^config key 'log.level'.*\(from --set\)$/ })
  const dir = tempDir(t)
  const file = join(dir, 'bad.yaml')
  writeFileSync(file, 'log:\n  pretty: "yes"\n')
  t.throws(() => loadConfig({ file }), { message: new RegExp(`^config key 'log.pretty': expected boolean, got "yes" \\(in ${file}\\)$`) })
  writeFileSync(file, 'server: [1, 2]\n')
  t.throws(() => loadConfig({ file }), { message: `config section 'server' must be a mapping (in ${file})` })
  writeFileSync(file, 'server:\n  port: [\n')
  t.throws(() => loadConfig({ file }), { message: /is not valid YAML/ })
})

t.test('environment names follow the keys', async (t) => {
  t.equal(envName('media', 'announcedAddress'), 'VECHE_MEDIA_ANNOUNCED_ADDRESS')
  t.equal(envName('server', 'port'), 'VECHE_SERVER_PORT')
})
