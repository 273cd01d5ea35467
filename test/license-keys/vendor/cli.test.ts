import t from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { TrustedKey } from '../../../license-keys/claims.ts'
import { verifyToken } from '../../../license-keys/verify.ts'
import { createVendorStore, openVendorDatabase } from '../../../license-keys/vendor/activation-service/db.ts'
import { tempDir } from '../../helper.ts'
import { activationRequest, keyFile, testKeyring } from '../../fixtures/vendor-keys.ts'

const VENDOR = fileURLToPath(new URL('../../../bin/veche-vendor', import.meta.url))
// Run as an operator would: without tap's NODE_OPTIONS (its process-info loader), under which
// better-sqlite3 12 on Node 24 aborts in Statement::~Statement (env != nullptr) most runs. tap puts
// NODE_OPTIONS back into every spawn's environment, so `env -u` removes it inside the child.
const command = (args: string[]): [string, string[]] => ['env', ['-u', 'NODE_OPTIONS', VENDOR, ...args]]
const vendor = (args: string[]) => spawnSync(...command(args), { encoding: 'utf8' })
const keyring = testKeyring()

const ISSUE = ['license', 'issue', '--key', keyFile('test-license-1'), '--licensee', 'ООО «Ромашка»', '--tax-id', '7701234567',
  '--plan', 'Business 50', '--rooms', '10', '--participants', '50', '--users', '200', '--feature', 'recording', '--feature', 'sso']

t.test('keys create writes a private key once, mode 0600, and prints its public entry', async (t) => {
  const dir = join(tempDir(t), 'keys')
  const r = vendor(['keys', 'create', '--purpose', 'license', '--dir', dir, '--kid', 'license-2026-11-abc123'])
  t.equal(r.status, 0, r.stderr)
  const entry = JSON.parse(r.stdout) as TrustedKey
  t.same({ ...entry, jwk: { ...entry.jwk, x: 'x' } }, { kid: 'license-2026-11-abc123', purpose: 'license', status: 'active', jwk: { kty: 'OKP', crv: 'Ed25519', x: 'x' } })
  const file = join(dir, 'license-2026-11-abc123.private.jwk.json')
  t.equal(statSync(file).mode & 0o777, 0o600)
  const before = readFileSync(file, 'utf8')
  const again = vendor(['keys', 'create', '--purpose', 'license', '--dir', dir, '--kid', 'license-2026-11-abc123'])
  t.equal(again.status, 1)
  t.equal(again.stderr, `veche-vendor: ${file} already exists; a signing key is never overwritten: choose another --kid or --dir\n`)
  t.equal(readFileSync(file, 'utf8'), before, 'the key is untouched')
  const bad = vendor(['keys', 'create', '--purpose', 'root', '--dir', dir])
  t.equal(bad.status, 1)
  t.match(bad.stderr, /^veche-vendor: option '--purpose <purpose>' argument 'root' is invalid/)
})

t.test('license issue prints a key that verifies and records it; update packages extend it', async (t) => {
  const dir = tempDir(t)
  const db = join(dir, 'vendor.db')
  const r = vendor([...ISSUE, '--term', 'subscription', '--until', '2099-01-31', '--activations', '2', '--db', db])
  t.equal(r.status, 0, r.stderr)
  const claims = await verifyToken('license', r.stdout, keyring)
  t.equal(claims.termEnd, Date.UTC(2099, 1, 1) / 1000, 'through January 31 (UTC)')
  t.equal(claims.activations, 2)
  t.same(claims.features, ['recording', 'sso'])
  t.match(r.stderr, `issued ${claims.sub} to ООО «Ромашка»: Business 50, subscription through 2099-01-31`)

  const vdb = openVendorDatabase(db)
  t.teardown(() => vdb.close())
  t.match(createVendorStore(vdb).licenses.get(claims.sub), { licensee: 'ООО «Ромашка»', plan: 'Business 50', issuedAt: claims.iat, recordedBy: 'issue' })

  const out = join(dir, 'update.key')
  const u = vendor(['license', 'issue-update-package', '--key', keyFile('test-license-1'), '--license', claims.sub, '--updates-until', '2100-06-30', '--out', out, '--db', db])
  t.equal(u.status, 0, u.stderr)
  const update = await verifyToken('updatePackage', readFileSync(out, 'utf8'), keyring)
  t.equal(update.sub, claims.sub)
  t.equal(update.updatesUntil, Date.UTC(2100, 6, 1) / 1000 - 1)

  const noEnd = vendor([...ISSUE, '--term', 'subscription', '--db', db])
  t.equal(noEnd.status, 1)
  t.equal(noEnd.stderr, 'veche-vendor: a subscription needs its end date: add --until YYYY-MM-DD\n')
  const wrongKey = vendor([...ISSUE.map((a) => (a === keyFile('test-license-1') ? keyFile('test-activation-1') : a)), '--term', 'perpetual', '--db', db])
  t.equal(wrongKey.status, 1)
  t.match(wrongKey.stderr, /^veche-vendor: .*is an activation signing key \(test-activation-1\); this needs a license signing key: pass the license key file\n$/)
})

t.test('offline activation: certify a request file, hit the limit, release, revoke', async (t) => {
  const dir = tempDir(t)
  const db = join(dir, 'vendor.db')
  const issued = vendor([...ISSUE, '--term', 'perpetual', '--out', join(dir, 'license.key'), '--db', db])
  t.equal(issued.status, 0, issued.stderr)
  const licenseKeyText = readFileSync(join(dir, 'license.key'), 'utf8')
  const claims = await verifyToken('license', licenseKeyText, keyring)

  const requestFile = (name: string) => {
    const file = join(dir, `${name}.request.json`)
    const request = activationRequest(licenseKeyText, name)
    writeFileSync(file, JSON.stringify(request, null, 2))
    return { file, request }
  }
  const certify = (file: string, out: string, extra: string[] = ['--allow-test-keys']) =>
    vendor(['activation', 'certify', file, '--key', keyFile('test-activation-1'), '--out', join(dir, out), '--db', db, ...extra])

  const a = requestFile('meet-a')
  const untrusting = certify(a.file, 'x.cert', [])
  t.equal(untrusting.status, 1, 'test keys are not trusted unless asked')
  t.match(untrusting.stderr, /^veche-vendor: a license key is signed by key id 'test-license-1', which this Veche release does not know/)

  const ok = certify(a.file, 'meet-a.cert')
  t.equal(ok.status, 0, ok.stderr)
  const cert = await verifyToken('activation', readFileSync(join(dir, 'meet-a.cert'), 'utf8'), keyring)
  t.equal(cert.sub, claims.sub)
  t.equal(cert.nonce, a.request.nonce)
  t.same(cert.fingerprint, a.request.fingerprint)

  const b = requestFile('meet-b')
  const limit = certify(b.file, 'meet-b.cert')
  t.equal(limit.status, 1)
  t.match(limit.stderr, `veche-vendor: license ${claims.sub} allows 1 machine(s) and 1 already hold it (${cert.activationId} on host 'meet-a.corp.example'`)

  const list = vendor(['activation', 'list', '--license', claims.sub, '--db', db])
  t.equal(list.status, 0, list.stderr)
  t.match(list.stdout, /^ACTIVATION\s+LICENSE\s+HOST\s+VERSION\s+ACTIVATED\s+RENEWED\s+STATUS\n/)
  t.match(list.stdout, new RegExp(`${cert.activationId}\\s+${claims.sub}\\s+meet-a\\.corp\\.example\\s+0\\.1\\.0\\s+\\S+\\s+\\S+\\s+active\\n$`))

  const released = vendor(['activation', 'release', cert.activationId, '--db', db])
  t.equal(released.status, 0, released.stderr)
  t.match(released.stdout, 'the license can now be activated on another machine')
  t.equal(vendor(['activation', 'release', cert.activationId, '--db', db]).status, 1, 'released once')
  t.equal(certify(b.file, 'meet-b.cert').status, 0, 'the freed slot goes to meet-b')

  const revoke = vendor(['license', 'revoke', claims.sub, '--db', db])
  t.equal(revoke.status, 0, revoke.stderr)
  t.match(revoke.stdout, `license ${claims.sub} (ООО «Ромашка») revoked`)
  const refused = certify(b.file, 'again.cert')
  t.equal(refused.status, 1)
  t.match(refused.stderr, new RegExp(`^veche-vendor: license ${claims.sub} was revoked on \\d{4}-\\d{2}-\\d{2}: contact the vendor\\n$`))

  writeFileSync(join(dir, 'junk.json'), '{"licenseKey": "hello"}')
  const junk = certify(join(dir, 'junk.json'), 'junk.cert')
  t.equal(junk.status, 1)
  t.match(junk.stderr, /^veche-vendor: not an activation request: /)
})

t.test('serve runs the activation service and logs where it listens', async (t) => {
  const dir = tempDir(t)
  const child = spawn(...command(['serve', '--key', keyFile('test-activation-1'), '--port', '0', '--allow-test-keys', '--db', join(dir, 'vendor.db')]), {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  t.teardown(() => child.kill('SIGKILL'))
  const url = await new Promise<string>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`serve exited ${code}`)))
    createInterface({ input: child.stdout }).on('line', (line) => {
      const log = JSON.parse(line) as { url?: string; msg: string }
      if (log.url) resolve(log.url)
    })
  })
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)
  t.same(await (await fetch(`${url}/healthz`)).json(), { ok: true })
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  t.equal(await exited, 0, 'stops cleanly on SIGTERM')
})

t.test('keys are printed armored at 64 columns; certify refuses a license its database never recorded until `license record`', async (t) => {
  const dir = tempDir(t)
  const issuingDb = join(dir, 'issuing.db')
  const otherDb = join(dir, 'other.db')
  const issued = vendor([...ISSUE, '--term', 'perpetual', '--db', issuingDb])
  t.equal(issued.status, 0, issued.stderr)
  t.match(issued.stdout, /^-----BEGIN VECHE LICENSE-----\n(?:[A-Za-z0-9_.-]{64}\n)+[A-Za-z0-9_.-]{1,64}\n-----END VECHE LICENSE-----\n$/)
  const claims = await verifyToken('license', issued.stdout, keyring)
  const keyPath = join(dir, 'license.key')
  writeFileSync(keyPath, issued.stdout)

  const requestPath = join(dir, 'request.json')
  writeFileSync(requestPath, JSON.stringify(activationRequest(issued.stdout, 'meet-a')))
  const certPath = join(dir, 'meet-a.cert')
  const certify = (db: string) =>
    vendor(['activation', 'certify', requestPath, '--key', keyFile('test-activation-1'), '--out', certPath, '--db', db, '--allow-test-keys'])
  const refused = certify(otherDb)
  t.equal(refused.status, 1)
  t.equal(
    refused.stderr,
    `veche-vendor: license ${claims.sub} (ООО «Ромашка») is not recorded in this vendor database, so it could never be revoked or counted: ` +
      'pass the database that issued it with --db, or record it here first with `veche-vendor license record <key file>`\n',
  )
  t.notOk(existsSync(certPath), 'no certificate written')
  const other = openVendorDatabase(otherDb)
  t.equal(createVendorStore(other).licenses.get(claims.sub), undefined, 'the license is not recorded by the refusal')
  t.same(createVendorStore(other).activations.list(), [], 'no activation counted')
  other.close()

  const recorded = vendor(['license', 'record', keyPath, '--db', otherDb, '--allow-test-keys'])
  t.equal(recorded.status, 0, recorded.stderr)
  t.equal(recorded.stdout, `recorded ${claims.sub} (ООО «Ромашка», Business 50, 1 activation(s)) in ${otherDb}\n`)
  const ok = certify(otherDb)
  t.equal(ok.status, 0, ok.stderr)
  t.match(readFileSync(certPath, 'utf8'), /^-----BEGIN VECHE ACTIVATION CERTIFICATE-----\n/)
  t.equal((await verifyToken('activation', readFileSync(certPath, 'utf8'), keyring)).sub, claims.sub)

  const bloated = join(dir, 'bloated.json')
  writeFileSync(bloated, JSON.stringify({ ...activationRequest(issued.stdout, 'meet-b'), hostname: 'x'.repeat(40_000) }))
  const big = vendor(['activation', 'certify', bloated, '--key', keyFile('test-activation-1'), '--out', join(dir, 'b.cert'), '--db', otherDb, '--allow-test-keys'])
  t.equal(big.status, 1)
  t.equal(big.stderr, `veche-vendor: ${bloated} is larger than 32 KiB, which no activation request is: ask for the file \`veche activate --offline\` wrote, unchanged\n`)
  t.notOk(existsSync(join(dir, 'b.cert')))
})
