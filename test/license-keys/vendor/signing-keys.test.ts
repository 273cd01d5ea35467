import t from 'tap'
import { statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createKeyring } from '../../../license-keys/keyring.ts'
import { createSigningKey, loadSigningKey } from '../../../license-keys/vendor/signing-keys.ts'
import { tempDir } from '../../helper.ts'
import { keyFile } from '../../fixtures/vendor-keys.ts'

t.test('a new key is written once, private, and its public entry verifies what it signs', async (t) => {
  const dir = join(tempDir(t), 'keys')
  const { file, trusted } = createSigningKey('activation', dir)
  t.match(trusted.kid, /^activation-\d{4}-\d{2}-[0-9a-f]{6}$/)
  t.equal(file, join(dir, `${trusted.kid}.private.jwk.json`))
  t.equal(statSync(file).mode & 0o777, 0o600)
  t.equal(statSync(dir).mode & 0o777, 0o700)
  t.same(Object.keys(trusted.jwk).sort(), ['crv', 'kty', 'x'], 'no private part in the public entry')
  const key = loadSigningKey(file, 'activation')
  t.same(key.trusted, trusted)
  t.ok(createKeyring([trusted], { allowTestKeys: false }).get(trusted.kid))
  t.throws(() => createSigningKey('activation', dir, { kid: trusted.kid }), { code: 'key_exists', message: /never overwritten/ })
  t.throws(() => createSigningKey('license', dir, { kid: '../etc' }), { code: 'bad_kid' })
})

t.test('loading a key names the file and what is wrong with it', async (t) => {
  const dir = tempDir(t)
  t.throws(() => loadSigningKey(join(dir, 'nope.json'), 'license'), {
    code: 'key_missing',
    message: /nope\.json does not exist: create one with `veche-vendor keys create --purpose license/,
  })
  const write = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name))
  t.throws(() => loadSigningKey(write('a.json', 'not json'), 'license'), { code: 'key_format', message: /a\.json is not a Veche signing key file \(not JSON\)/ })
  const pub = { kid: 'k1', purpose: 'license', jwk: { kty: 'OKP', crv: 'Ed25519', x: 'AAAA' } }
  t.throws(() => loadSigningKey(write('b.json', JSON.stringify(pub)), 'license'), { code: 'key_format', message: /public key only/ })
  t.throws(() => loadSigningKey(keyFile('test-release-1'), 'license'), {
    code: 'key_purpose',
    message: /is a release signing key \(test-release-1\); this needs a license signing key/,
  })
})
