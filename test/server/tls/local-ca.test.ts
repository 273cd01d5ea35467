import t from 'tap'
import { X509Certificate } from 'node:crypto'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { createSecureContext } from 'node:tls'
import { coveredNames, ensureLocalTls, serial } from '../../../server/tls/local-ca.ts'
import { tempDir } from '../../helper.ts'

t.test('first start creates a CA and a server certificate it signed, keys private', async (t) => {
  const dir = join(tempDir(t), 'tls')
  const tls = ensureLocalTls(dir, ['localhost', 'meet.corp', '127.0.0.1', '10.1.2.3'])
  t.same(tls.created, ['ca', 'server'])
  t.equal(statSync(join(dir, 'ca.key')).mode & 0o777, 0o600)
  t.equal(statSync(join(dir, 'server.key')).mode & 0o777, 0o600)
  const ca = new X509Certificate(tls.caCert!)
  const server = new X509Certificate(tls.cert)
  t.ok(ca.ca, 'CA certificate is a CA')
  t.ok(server.checkIssued(ca) && server.verify(ca.publicKey), 'server certificate is signed by the CA')
  t.ok(server.checkHost('meet.corp'))
  t.ok(server.checkIP('10.1.2.3'))
  t.ok(server.checkIP('127.0.0.1'))
  t.ok(server.checkPrivateKey((await import('node:crypto')).createPrivateKey(tls.key)))
})

t.test('a restart reuses the certificate; a new address gets a new one from the same CA', async (t) => {
  const dir = join(tempDir(t), 'tls')
  const first = ensureLocalTls(dir, ['localhost', '127.0.0.1'])
  const again = ensureLocalTls(dir, ['localhost', '127.0.0.1'])
  t.same(again.created, [])
  t.equal(again.cert, first.cert)
  const wider = ensureLocalTls(dir, ['localhost', '127.0.0.1', '192.168.7.7'])
  t.same(wider.created, ['server'], 'only the server certificate is renewed')
  t.equal(wider.caCert, first.caCert, 'employees keep trusting the same CA')
  t.ok(coveredNames(wider.cert).includes('192.168.7.7'))
})

t.test('serial numbers are positive and minimally encoded, so OpenSSL always loads the certificate', async (t) => {
  for (let i = 0; i < 1000; i++) {
    const first = parseInt(serial().slice(0, 2), 16)
    if (first < 0x40 || first > 0x7f) t.fail(`serial starts with ${first.toString(16)}`)
  }
  const tls = ensureLocalTls(join(tempDir(t), 'tls'), ['localhost'])
  t.doesNotThrow(() => createSecureContext({ key: tls.key, cert: tls.cert }))
})
