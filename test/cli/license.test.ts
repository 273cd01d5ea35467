// The sysadmin's license commands, run as the real `veche` CLI against the real activation service.
import t from 'tap'
import { execFile } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { CompactSign } from 'jose'
import { armor } from '../../license-keys/armor.ts'
import { TokenTypes } from '../../license-keys/claims.ts'
import { createVendorStore, openVendorDatabase } from '../../license-keys/vendor/activation-service/db.ts'
import { issueUpdatePackage } from '../../license-keys/vendor/issue.ts'
import { openDatabase } from '../../server/db/database.ts'
import { createDb } from '../../server/db/engine.ts'
import { createLicenseRepository } from '../../server/db/license-repository.ts'
import { startActivationService } from '../activation-service.ts'
import { tempDir } from '../helper.ts'
import { certify, issueTestLicense, licenseKey } from '../license-helper.ts'
import { VECHE } from '../server-process.ts'

const run = promisify(execFile)

/** veche runs the CLI without blocking this process (the activation service answers from here). */
async function veche(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(VECHE, args, { env: { ...process.env, VECHE_CONFIG: undefined } })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

t.test('activate online, show, and the license survives without the vendor', async (t) => {
  const vendor = await startActivationService(t)
  const data = tempDir(t)
  const at = ['--set', `data.dir=${data}`, '--set', `license.activationUrl=${vendor.url}`]

  const before = await veche(['license', 'show', ...at])
  t.equal(before.code, 3, 'not licensed: exit 3')
  t.match(before.stdout, /status:\s+unlicensed/)

  const { token, claims } = await issueTestLicense({ plan: 'Enterprise', limits: { rooms: 5, participantsPerRoom: 50, internalUsers: 200 } })
  const keyFile = join(data, 'key.txt')
  writeFileSync(keyFile, `Your Veche license key:\n\n${token.match(/.{1,64}/g)!.join('\n')}\n`.split('\n').slice(2).join('\n'))
  const activated = await veche(['activate', keyFile, ...at])
  t.equal(activated.code, 0, activated.stderr)
  t.match(activated.stdout, /^activated\.\n/)
  t.match(activated.stdout, /plan:\s+Enterprise/)
  t.match(activated.stdout, /rooms:\s+5 simultaneous/)
  t.match(activated.stdout, /this machine:\s+matches the activation/)

  await vendor.stop()
  const shown = await veche(['license', 'show', '--json', ...at])
  t.equal(shown.code, 0)
  const state = JSON.parse(shown.stdout)
  t.equal(state.status, 'active')
  t.equal(state.claims.sub, claims.sub)

  const again = await veche(['activate', token, ...at])
  t.equal(again.code, 1, 'activation needs the vendor; the installed license stays')
  t.match(again.stderr, /^veche: cannot reach the activation service at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): this server must reach the vendor only while activating/)
  t.equal(JSON.parse((await veche(['license', 'show', '--json', ...at])).stdout).status, 'active')
})

t.test('bad keys get one clear line and exit 1', async (t) => {
  const data = tempDir(t)
  const at = ['--set', `data.dir=${data}`, '--set', 'license.activationUrl=http://127.0.0.1:3']
  const { token } = await issueTestLicense()
  const [h, p, sig] = token.split('.') as [string, string, string]
  const i = Math.floor(p.length / 2)
  const tampered = `${h}.${p.slice(0, i)}${p[i] === 'a' ? 'b' : 'a'}${p.slice(i + 1)}.${sig}`
  const r = await veche(['activate', tampered, ...at])
  t.equal(r.code, 1)
  t.match(r.stderr, /^veche: the signature of a license key does not match its contents/)
  const missing = await veche(['activate', '/nonexistent/key.txt', ...at])
  t.equal(missing.stderr, 'veche: /nonexistent/key.txt is neither a key nor a file that exists\n')
})

t.test('offline activation: request file -> vendor certificate -> activated', async (t) => {
  const data = tempDir(t)
  const at = ['--set', `data.dir=${data}`]
  const { token, claims } = await issueTestLicense()
  const requestFile = join(data, 'request.json')
  const made = await veche(['activate', token, '--offline', '--out', requestFile, ...at])
  t.equal(made.code, 0, made.stderr)
  t.match(made.stdout, /veche activate --certificate/)
  const request = JSON.parse(readFileSync(requestFile, 'utf8'))
  t.equal(request.product, 'veche')

  const certFile = join(data, 'certificate.txt')
  writeFileSync(certFile, await certify(claims.sub, { nonce: request.nonce, fingerprint: request.fingerprint }))
  const done = await veche(['activate', '--certificate', certFile, ...at])
  t.equal(done.code, 0, done.stderr)
  t.match(done.stdout, /activated \(offline\)/)
  t.equal((await veche(['license', 'show', ...at])).code, 0)
})

/** signedLicense signs `claims` with the test license key as the vendor's tool would, but with claims it never makes. */
async function signedLicense(claims: object | string): Promise<string> {
  const payload = typeof claims === 'string' ? claims : JSON.stringify(claims)
  return new CompactSign(new TextEncoder().encode(payload))
    .setProtectedHeader({ alg: 'EdDSA', kid: 'test-license-1', typ: TokenTypes.license })
    .sign(licenseKey().privateKey)
}

/** stored returns what the data folder's database holds of the license: installed key and pending activation. */
async function stored(dataDir: string): Promise<{ licenseKey: string | undefined; pending: string | undefined }> {
  const db = openDatabase(join(dataDir, 'veche.db'))
  try {
    const repo = createLicenseRepository(createDb({ url: '', password: '', passwordFile: '' }, db))
    return { licenseKey: (await repo.get())?.licenseKey, pending: (await repo.pending())?.licenseKey }
  } finally {
    db.close()
  }
}

t.test('oversized and deeply nested keys are refused by activate --offline and license install; nothing is stored', async (t) => {
  const data = tempDir(t)
  const at = ['--set', `data.dir=${data}`]
  const { token, claims } = await issueTestLicense()
  const file = (name: string, text: string) => {
    writeFileSync(join(data, name), text)
    return join(data, name)
  }
  const huge = file('huge.key', await signedLicense({ ...claims, padding: 'x'.repeat(1_000_000) }))
  const nested = file('nested.key', await signedLicense(`${JSON.stringify(claims).slice(0, -1)},"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`))
  const large = await signedLicense({ ...claims, padding: 'x'.repeat(20_000) })
  const deep = await signedLicense(`${JSON.stringify(claims).slice(0, -1)},"x":${'['.repeat(2_000)}${']'.repeat(2_000)}}`)
  const extra = await signedLicense({ ...claims, seats: 1000 })
  const requestFile = join(data, 'request.json')

  const refusals: [string, RegExp][] = [
    [huge, /^veche: \S+huge\.key is larger than 64 KiB, more than a key with a whole e-mail around it: give the file or text holding just the key\n$/],
    [nested, /^veche: \S+nested\.key is larger than 64 KiB/],
    [large, /^veche: a license key is at most 8 KiB; this one is 26\.\d KiB: it is not one the vendor issues, ask the vendor for a new one\n$/],
    [deep, /^veche: the claims of a license key nest deeper than 8 levels/],
    [extra, /^veche: a license key carries a claim \/seats that this version of Veche does not understand: update Veche/],
  ]
  for (const [key, message] of refusals) {
    const r = await veche(['activate', key, '--offline', '--out', requestFile, ...at])
    t.equal(r.code, 1, `activate --offline ${key.slice(-12)}`)
    t.match(r.stderr, message)
    t.notOk(existsSync(requestFile), 'no request written')
    t.same((await stored(data)), { licenseKey: undefined, pending: undefined }, 'nothing stored')
  }

  // Activated with the real key, then the same refusals for a renewal: the installed key stays.
  const made = await veche(['activate', token, '--offline', '--out', requestFile, ...at])
  t.equal(made.code, 0, made.stderr)
  const request = JSON.parse(readFileSync(requestFile, 'utf8'))
  writeFileSync(join(data, 'cert.txt'), await certify(claims.sub, { nonce: request.nonce, fingerprint: request.fingerprint }))
  t.equal((await veche(['activate', '--certificate', join(data, 'cert.txt'), ...at])).code, 0)
  for (const [key, message] of refusals) {
    const r = await veche(['license', 'install', key, ...at])
    t.equal(r.code, 1, `license install ${key.slice(-12)}`)
    t.match(r.stderr, message)
    t.equal((await stored(data)).licenseKey, token, 'the installed key is unchanged')
  }
})

t.test('a key valid from next month is refused today, naming the date; nothing reaches the vendor', async (t) => {
  const vendor = await startActivationService(t)
  const data = tempDir(t)
  const at = ['--set', `data.dir=${data}`, '--set', `license.activationUrl=${vendor.url}`]
  const { claims } = await issueTestLicense()
  const nbf = Math.floor(Date.now() / 1000) + 31 * 86_400
  const future = await signedLicense({ ...claims, nbf })
  const r = await veche(['activate', future, ...at])
  t.equal(r.code, 1)
  t.match(r.stderr, `veche: this key is valid from ${new Date(nbf * 1000).toISOString().slice(0, 10)}: a license key cannot be used before`)
  t.same((await stored(data)), { licenseKey: undefined, pending: undefined }, 'nothing stored')
  t.equal(JSON.parse((await veche(['license', 'show', '--json', ...at])).stdout).status, 'unlicensed', 'not shown active')
  const vdb = openVendorDatabase(vendor.dbFile)
  t.same(createVendorStore(vdb).activations.list(), [], 'the vendor counted no activation')
  vdb.close()
})

t.test('keys, certificates and update packages pasted from an e-mail are found; two different keys are refused', async (t) => {
  const data = tempDir(t)
  const at = ['--set', `data.dir=${data}`]
  const { token, claims } = await issueTestLicense()
  const mail = (name: string, body: string) => {
    const text = `Hello,\n\nplease find it below.\n\n${body}\nKind regards,\nVendor support\n`
    writeFileSync(join(data, name), `On Monday the vendor wrote:\n${text.replace(/^/gm, '> ')}`)
    return join(data, name)
  }
  const requestFile = join(data, 'request.json')
  const two = await veche(['activate', mail('two.txt', `${armor('license', token)}\n${armor('license', (await issueTestLicense()).token)}`), '--offline', '--out', requestFile, ...at])
  t.equal(two.code, 1)
  t.match(two.stderr, /^veche: the text holds 2 different keys \(ending '\.\.\.\S+', '\.\.\.\S+'\) where one is expected: paste only a license key\n$/)
  t.same((await stored(data)), { licenseKey: undefined, pending: undefined }, 'nothing stored')

  const made = await veche(['activate', mail('key.txt', armor('license', token)), '--offline', '--out', requestFile, ...at])
  t.equal(made.code, 0, made.stderr)
  const request = JSON.parse(readFileSync(requestFile, 'utf8'))
  t.equal(request.licenseKey, token, 'the request carries the bare key')
  const certificate = await certify(claims.sub, { nonce: request.nonce, fingerprint: request.fingerprint })
  const done = await veche(['activate', '--certificate', mail('cert.txt', armor('activation', certificate)), ...at])
  t.equal(done.code, 0, done.stderr)
  t.same((await stored(data)), { licenseKey: token, pending: undefined })

  const update = await issueUpdatePackage({ licenseId: claims.sub, updatesUntil: claims.updatesUntil + 365 * 86_400 }, licenseKey())
  const wrapped = `Your update package: ${update.token.slice(0, 60)}\n${update.token.slice(60, 130)}\n${update.token.slice(130)}\n`
  const installed = await veche(['license', 'install-update-package', mail('update.txt', wrapped), ...at])
  t.equal(installed.code, 0, installed.stderr)
  const renewed = await issueTestLicense({ id: claims.sub, plan: 'Renewed' })
  // Pasted whole as one argument ("$(cat key.txt)"), its first line starting with dashes.
  const renewal = await veche(['license', 'install', armor('license', renewed.token), ...at])
  t.equal(renewal.code, 0, renewal.stderr)
  t.match(renewal.stdout, /plan:\s+Renewed/)
})
