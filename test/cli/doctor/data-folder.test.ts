// The checks of what lives in the data folder: data-dir, database, certificate, license, clock.
// Each is broken for real (a missing or read-only folder, an old schema, a damaged page, an expired
// certificate, a clock behind the recorded one) and, where --fix applies, fixed and checked again.
import t from 'tap'
import Database from 'better-sqlite3'
import forge from 'node-forge'
import { generateKeyPairSync } from 'node:crypto'
import { closeSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { certificateCheck } from '../../../cli/doctor/checks/certificate.ts'
import { clockCheck } from '../../../cli/doctor/checks/clock.ts'
import { dataDirCheck } from '../../../cli/doctor/checks/data-dir.ts'
import { databaseCheck } from '../../../cli/doctor/checks/database.ts'
import { licenseCheck } from '../../../cli/doctor/checks/license.ts'
import { ERROR_FREE_BYTES, GIB, MIB, spaceStatus, WARN_FREE_BYTES } from '../../../cli/doctor/disk-space.ts'
import type { LicenseSpec } from '../../../license-keys/vendor/issue.ts'
import { createDb } from '../../../server/db/engine.ts'
import { createLicenseRepository } from '../../../server/db/license-repository.ts'
import { listMigrations } from '../../../server/db/migrations.ts'
import { ensureLocalTls, serial } from '../../../server/tls/local-ca.ts'
import { seedActivatedLicense } from '../../license-helper.ts'
import {
  canUseMountNamespace,
  check,
  contextWith,
  databaseAtVersion,
  databaseIn,
  doctor,
  inNamespace,
  isolated,
  lineOf,
  migratedDatabase,
  tempDir,
} from './fixtures/doctor.ts'

const LATEST = listMigrations().at(-1)!.version
const DAY_MS = 24 * 60 * 60 * 1000
const NO_NAMESPACE = (await canUseMountNamespace()) ? false : 'needs root and unshare(1) for a private mount namespace'

// ---- data-dir

t.test('data-dir: a missing folder fails; --fix creates it with mode 0750 and the check passes', async (t) => {
  const data = join(tempDir(t), 'var', 'veche')
  const before = await check('data-dir', isolated(data))
  t.equal(before.code, 1)
  t.equal(before.message, `${data} does not exist: \`veche doctor --fix\` creates it, or set data.dir`)

  const fixed = await check('data-dir', ['--fix', ...isolated(data)])
  t.equal(fixed.code, 0, fixed.message)
  t.match(fixed.fixed, `created ${data} (mode 0750)`)
  t.equal(statSync(data).mode & 0o777, 0o750)

  const after = await check('data-dir', isolated(data))
  t.equal(after.code, 0)
  t.match(after.message, `${data}: writable, `)
})

t.test('data-dir: a file where the folder should be is named, and --fix leaves it alone', async (t) => {
  const data = join(tempDir(t), 'data')
  writeFileSync(data, 'not a folder')
  t.same(await dataDirCheck.run(contextWith(data), true), { status: 'error', message: `${data} is not a folder: move that file away or set data.dir` })
})

t.test('data-dir: free space warns under 1 GiB and fails under 200 MiB', async (t) => {
  t.equal(WARN_FREE_BYTES, GIB)
  t.equal(ERROR_FREE_BYTES, 200 * MIB)
  t.equal(spaceStatus(5 * GIB), 'ok')
  t.equal(spaceStatus(GIB - 1), 'warning')
  t.equal(spaceStatus(200 * MIB - 1), 'error')
})

// Root ignores file modes, so a real read-only filesystem (and a real small one) is mounted in a
// private mount namespace that disappears with the process.
t.test('data-dir: a read-only filesystem, and one with 100 MiB', { skip: NO_NAMESPACE }, async (t) => {
  const data = tempDir(t)
  const args = ['--run', 'data-dir', '--json', ...isolated(data)]
  const readOnly = lineOf(await inNamespace(`mount --bind -o ro ${data} ${data}`, args), 'data-dir')
  t.equal(readOnly.code, 1)
  t.equal(readOnly.message, `cannot create a file in ${data} (EROFS): give the user running Veche write access, or set data.dir`)

  const small = lineOf(await inNamespace(`mount -t tmpfs -o size=100m tmpfs ${data}`, args), 'data-dir')
  t.equal(small.code, 1)
  t.match(small.message, `${data}: writable, 100 MiB free, under 200 MiB: free disk space`)
})

// ---- database and certificate

interface CertSpec {
  names: string[]
  notBefore: Date
  notAfter: Date
  /** Signs with this CA; self-signed when absent. */
  ca?: { key: string; cert: string }
}

/** makeCertificate returns a real certificate and its key, PEM (the key from node's crypto: fast). */
function makeCertificate(spec: CertSpec): { cert: string; key: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const cert = forge.pki.createCertificate()
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString())
  cert.serialNumber = serial()
  cert.validity.notBefore = spec.notBefore
  cert.validity.notAfter = spec.notAfter
  cert.setSubject([{ name: 'commonName', value: spec.names[0]! }])
  cert.setIssuer(spec.ca ? forge.pki.certificateFromPem(spec.ca.cert).subject.attributes : cert.subject.attributes)
  cert.setExtensions([{ name: 'subjectAltName', altNames: spec.names.map((n) => (/^[\d.]+$/.test(n) ? { type: 7, ip: n } : { type: 2, value: n })) }])
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  cert.sign(forge.pki.privateKeyFromPem(spec.ca ? spec.ca.key : keyPem), forge.md.sha256.create())
  return { cert: forge.pki.certificateToPem(cert), key: keyPem }
}

/** localCa creates the data folder's CA and a server certificate for `localhost` only, as an older start would have. */
function localCa(data: string): { dir: string; ca: { key: string; cert: string } } {
  const dir = join(data, 'tls')
  const made = ensureLocalTls(dir, ['localhost'])
  return { dir, ca: { key: readFileSync(join(dir, 'ca.key'), 'utf8'), cert: made.caCert! } }
}

const versionOf = (file: string): number => {
  const db = new Database(file, { readonly: true })
  try {
    return db.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get() as number
  } finally {
    db.close()
  }
}

t.test('database + certificate: an old schema and an expired local certificate fail; one --fix repairs both', async (t) => {
  const data = tempDir(t)
  const file = databaseAtVersion(data, 1)
  const { dir, ca } = localCa(data)
  const crt = join(dir, 'server.crt')
  const expired = makeCertificate({ names: ['localhost'], ca, notBefore: new Date(Date.now() - 400 * DAY_MS), notAfter: new Date(Date.now() - DAY_MS) })
  writeFileSync(crt, expired.cert)
  writeFileSync(join(dir, 'server.key'), expired.key)
  const args = ['--run', 'database,certificate', '--json', ...isolated(data)]

  const before = await doctor(args)
  t.equal(before.code, 1)
  t.equal(lineOf(before, 'database').message, `schema version 1 is older than this release's ${LATEST}: \`veche doctor --fix\` migrates it (so does starting the server)`)
  const day = new Date(Date.now() - DAY_MS).toISOString().slice(0, 10)
  t.equal(lineOf(before, 'certificate').message, `${crt} expired on ${day}: \`veche doctor --fix\` issues a new one from the local CA (so does starting the server)`)
  t.equal(versionOf(file), 1, 'looking changed nothing')

  const fixed = await doctor(['--fix', ...args])
  t.equal(fixed.code, 0, fixed.stdout)
  t.equal(lineOf(fixed, 'database').fixed, `migrated schema version 1 to ${LATEST}`)
  t.equal(lineOf(fixed, 'certificate').fixed, 'issued a new server certificate from the local CA: restart the server to present it')
  t.equal(versionOf(file), LATEST)

  const after = await doctor(args)
  t.equal(after.code, 0, after.stdout)
  t.equal(lineOf(after, 'database').message, `${file}: intact, schema version ${LATEST}`)
  t.match(lineOf(after, 'certificate').message, new RegExp(`^${crt}: valid until \\d{4}-\\d\\d-\\d\\d \\(39[67] days\\), covers localhost, ${hostname()}`))
})

t.test('database: written by a newer release is an error naming the way back; --fix leaves it', async (t) => {
  const data = tempDir(t)
  const file = migratedDatabase(data)
  const raw = new Database(file)
  raw.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, ?, ?)').run('future', Date.now())
  raw.close()
  t.same(await databaseCheck.run(contextWith(data), true), {
    status: 'error',
    message: `schema version 999 was written by a newer release (this one knows ${LATEST}): \`veche update rollback\` or install that release`,
  })
  t.equal(versionOf(file), 999)
})

t.test('database: a damaged page is reported as damaged, with where the backups are', async (t) => {
  const data = tempDir(t)
  const file = migratedDatabase(data)
  const raw = new Database(file)
  raw.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT)')
  const put = raw.prepare('INSERT INTO filler (body) VALUES (?)')
  for (let i = 0; i < 2000; i++) put.run(`row ${i} ${'x'.repeat(200)}`)
  const pageSize = raw.pragma('page_size', { simple: true }) as number
  raw.close() // checkpoints the WAL: every page is in the main file now
  const middle = Math.floor(statSync(file).size / pageSize / 2) * pageSize
  const fd = openSync(file, 'r+')
  writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, middle)
  closeSync(fd)

  const r = await databaseCheck.run(contextWith(data), true)
  t.equal(r.status, 'error')
  t.match(r.message, `the database ${file} is damaged (`)
  t.match(r.message, /integrity_check: |malformed/)
  t.match(r.message, `put back a backup from ${data}/backups (\`veche update rollback\``)
})

t.test('database: none yet is a warning that says who creates it', async (t) => {
  const r = await databaseCheck.run(contextWith(tempDir(t)), false)
  t.equal(r.status, 'warning')
  t.match(r.message, /yet: `veche serve` creates it/)
})

t.test("certificate: the local CA's certificate without this host's names warns, naming them; --fix renews it", async (t) => {
  const data = tempDir(t)
  localCa(data)
  const ctx = contextWith(data)
  const before = await certificateCheck.run(ctx, false)
  t.equal(before.status, 'warning')
  t.match(before.message, `, but not for ${hostname()}, 127.0.0.1`)
  const fixed = await certificateCheck.run(ctx, true)
  t.equal(fixed.status, 'ok', fixed.message)
  t.match(fixed.fixed, 'issued a new server certificate')
})

t.test("certificate: an admin's certificate for other names warns, expired fails, a wrong key fails; none is fixed", async (t) => {
  const dir = tempDir(t)
  const write = (name: string, pem: { cert: string; key: string }): string[] => {
    writeFileSync(join(dir, `${name}.crt`), pem.cert)
    writeFileSync(join(dir, `${name}.key`), pem.key)
    return [`tls.certFile=${join(dir, `${name}.crt`)}`, `tls.keyFile=${join(dir, `${name}.key`)}`]
  }
  const valid = { notBefore: new Date(Date.now() - DAY_MS), notAfter: new Date(Date.now() + 200 * DAY_MS) }
  const other = write('other', makeCertificate({ names: ['meet.other.example'], ...valid }))
  const mismatch = await certificateCheck.run(contextWith(dir, [...other, 'tls.hostnames=meet.corp.example', 'server.publicUrl=https://video.corp.example']), true)
  t.equal(mismatch.status, 'warning')
  t.match(mismatch.message, /, but not for video\.corp\.example, meet\.corp\.example: the admin renews it with the organisation's CA and replaces tls\.certFile \(no automatic fix\)$/)
  t.equal(mismatch.fixed, undefined)

  const wildcard = write('wildcard', makeCertificate({ names: ['*.corp.example'], ...valid }))
  t.equal((await certificateCheck.run(contextWith(dir, [...wildcard, 'tls.hostnames=meet.corp.example']), false)).status, 'ok', 'a wildcard covers the name')

  const expired = write('expired', makeCertificate({ names: ['meet.corp.example'], notBefore: new Date(Date.now() - 100 * DAY_MS), notAfter: new Date(Date.now() - 2 * DAY_MS) }))
  const old = await certificateCheck.run(contextWith(dir, expired), true)
  t.equal(old.status, 'error')
  t.match(old.message, /expired on .*: the admin renews it/)

  const keyFile = join(dir, 'expired.key')
  t.same(await certificateCheck.run(contextWith(dir, [other[0]!, `tls.keyFile=${keyFile}`]), false), {
    status: 'error',
    message: `tls.keyFile ${keyFile} is not the key of the certificate in tls.certFile: set tls.keyFile to its key`,
  })
})

// ---- license and clock

/** activate stores a license as `veche activate` would, optionally bound to another machine. */
async function activate(data: string, spec: Partial<LicenseSpec> = {}, fingerprint?: Record<string, string>): Promise<void> {
  await seedActivatedLicense(data, { spec, ...(fingerprint ? { fingerprint } : {}) })
}

async function lastSeen(data: string): Promise<number | undefined> {
  const db = new Database(databaseIn(data), { readonly: true })
  try {
    return await createLicenseRepository(createDb({ url: '', password: '', passwordFile: '' }, db)).lastSeen()
  } finally {
    db.close()
  }
}

function recordLastSeen(data: string, unix: number): void {
  const db = new Database(databaseIn(data))
  db.prepare('INSERT INTO clock (id, last_seen) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen').run(unix)
  db.close()
}

const iso = (unix: number): string => new Date(unix * 1000).toISOString().replace('.000Z', 'Z')

t.test('license + clock: no license fails naming `veche activate`; a recorded time a day ahead fails naming timedatectl', async (t) => {
  const data = tempDir(t)
  migratedDatabase(data)
  const ahead = Math.floor(Date.now() / 1000) + 86_400
  recordLastSeen(data, ahead)
  const r = await doctor(['--run', 'license,clock', '--json', ...isolated(data)])
  t.equal(r.code, 1)
  t.equal(lineOf(r, 'license').message, 'unlicensed: no license is activated: the owner activates one with `veche activate <key>` or on the License page')
  const clock = lineOf(r, 'clock')
  t.equal(clock.status, 'error')
  t.match(clock.message, `but this server already saw ${iso(ahead)}: it was turned back`)
  t.match(clock.message, /set the correct time: `timedatectl set-ntp true`$/)
})

t.test('license: active passes, ending soon warns, another machine fails; looking never moves the clock', async (t) => {
  const data = tempDir(t)
  migratedDatabase(data)
  await activate(data)
  const ok = await licenseCheck.run(contextWith(data), false)
  t.equal(ok.status, 'ok')
  t.match(ok.message, /^active: Business for ООО «Ромашка» \(lic_[\w-]+\), perpetual$/)
  t.equal(await lastSeen(data), undefined, 'the recorded clock did not move')

  const ending = tempDir(t)
  migratedDatabase(ending)
  await activate(ending, { term: 'subscription', termEnd: Math.floor(Date.now() / 1000) + 5 * 86_400 })
  const soon = await licenseCheck.run(contextWith(ending), false)
  t.equal(soon.status, 'warning')
  t.match(soon.message, /\(5 days left\): ask the vendor for a renewed key$/)

  const elsewhere = tempDir(t)
  migratedDatabase(elsewhere)
  await activate(elsewhere, {}, { machineId: 'another', productUuid: 'machine', rootFsUuid: 'entirely', mac: '02:00:00:00:00:01', hostname: 'far' })
  const moved = await licenseCheck.run(contextWith(elsewhere), false)
  t.equal(moved.status, 'error')
  t.match(moved.message, /^invalid: this license was activated on another machine .*`veche activate <key>`/)
})

t.test('clock: a recorded time within the license leeway, or none, passes', async (t) => {
  const data = tempDir(t)
  t.equal((await clockCheck.run(contextWith(data), false)).status, 'ok', 'no database yet')
  migratedDatabase(data)
  recordLastSeen(data, Math.floor(Date.now() / 1000) + 60)
  const r = await clockCheck.run(contextWith(data), false)
  t.not(r.status, 'error', r.message)
  t.match(r.message, /, not before the last recorded /)
})
