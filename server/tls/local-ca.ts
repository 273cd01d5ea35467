// Owns the appliance's own certificate authority and the server certificate it signs, kept in the
// data folder. Browsers allow camera and microphone only on https, and an intranet appliance rarely
// has a public certificate; employees trust this CA once (downloaded from /ca.crt).
import forge from 'node-forge'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isIP } from 'node:net'
import { randomBytes } from 'node:crypto'

export interface TlsMaterial {
  key: string
  cert: string
  /** The local CA's certificate, when the server certificate is ours; undefined for the admin's own. */
  caCert: string | undefined
  /** Files the material came from, for logs and doctor. */
  certFile: string
}

const DAY = 24 * 60 * 60 * 1000
const SERVER_CERT_DAYS = 397 // under the 398-day limit browsers enforce on public CAs, in case policy extends it
const RENEW_BEFORE_DAYS = 30

/** writeSecret writes atomically; a key file is never visible with looser permissions. */
function writeFile(path: string, content: string, mode: number): void {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`
  writeFileSync(tmp, content, { mode, flag: 'wx' })
  renameSync(tmp, path)
}

export function serial(): string {
  // RFC 5280: unique, positive, at most 20 octets, minimally DER-encoded. A first byte in 0x40-0x7f is
  // positive with no sign padding needed, and never a redundant leading zero.
  const bytes = randomBytes(16)
  bytes[0] = (bytes[0]! & 0x3f) | 0x40
  return bytes.toString('hex')
}

function newKeyPair(): forge.pki.rsa.KeyPair {
  return forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 })
}

function createCa(dir: string): void {
  const keys = newKeyPair()
  const cert = forge.pki.createCertificate()
  cert.publicKey = keys.publicKey
  cert.serialNumber = serial()
  cert.validity.notBefore = new Date(Date.now() - DAY)
  cert.validity.notAfter = new Date(Date.now() + 3650 * DAY)
  const attrs = [
    { name: 'commonName', value: `Veche local CA ${randomBytes(3).toString('hex')}` },
    { name: 'organizationName', value: 'Veche appliance' },
  ]
  cert.setSubject(attrs)
  cert.setIssuer(attrs)
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ])
  cert.sign(keys.privateKey, forge.md.sha256.create())
  writeFile(join(dir, 'ca.key'), forge.pki.privateKeyToPem(keys.privateKey), 0o600)
  writeFile(join(dir, 'ca.crt'), forge.pki.certificateToPem(cert), 0o644)
}

function createServerCert(dir: string, names: string[]): void {
  const caKey = forge.pki.privateKeyFromPem(readFileSync(join(dir, 'ca.key'), 'utf8'))
  const caCert = forge.pki.certificateFromPem(readFileSync(join(dir, 'ca.crt'), 'utf8'))
  const keys = newKeyPair()
  const cert = forge.pki.createCertificate()
  cert.publicKey = keys.publicKey
  cert.serialNumber = serial()
  cert.validity.notBefore = new Date(Date.now() - DAY)
  cert.validity.notAfter = new Date(Date.now() + SERVER_CERT_DAYS * DAY)
  cert.setSubject([{ name: 'commonName', value: names.find((n) => !isIP(n)) ?? 'localhost' }])
  cert.setIssuer(caCert.subject.attributes)
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: names.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })),
    },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ])
  cert.sign(caKey, forge.md.sha256.create())
  writeFile(join(dir, 'server.key'), forge.pki.privateKeyToPem(keys.privateKey), 0o600)
  writeFile(join(dir, 'server.crt'), forge.pki.certificateToPem(cert) + forge.pki.certificateToPem(caCert), 0o644)
}

/** coveredNames returns the DNS names and IPs a certificate is valid for. */
export function coveredNames(certPem: string): string[] {
  const cert = forge.pki.certificateFromPem(certPem)
  const san = cert.getExtension('subjectAltName') as { altNames?: { type: number; value?: string; ip?: string }[] } | null
  return (san?.altNames ?? []).map((a) => (a.type === 7 ? a.ip! : a.value!)).filter(Boolean)
}

function needsNewServerCert(dir: string, names: string[]): boolean {
  const file = join(dir, 'server.crt')
  if (!existsSync(file) || !existsSync(join(dir, 'server.key'))) return true
  const pem = readFileSync(file, 'utf8')
  const cert = forge.pki.certificateFromPem(pem)
  if (cert.validity.notAfter.getTime() - Date.now() < RENEW_BEFORE_DAYS * DAY) return true
  const have = new Set(coveredNames(pem))
  return names.some((n) => !have.has(n))
}

/**
 * ensureLocalTls returns the server key and certificate from `dir`, creating the local CA on first
 * use and a new server certificate when names were added or it is about to expire.
 */
export function ensureLocalTls(dir: string, names: string[]): TlsMaterial & { created: string[] } {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const created: string[] = []
  if (!existsSync(join(dir, 'ca.key')) || !existsSync(join(dir, 'ca.crt'))) {
    createCa(dir)
    created.push('ca')
  }
  if (needsNewServerCert(dir, names)) {
    createServerCert(dir, names)
    created.push('server')
  }
  return {
    key: readFileSync(join(dir, 'server.key'), 'utf8'),
    cert: readFileSync(join(dir, 'server.crt'), 'utf8'),
    caCert: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    certFile: join(dir, 'server.crt'),
    created,
  }
}

/** loadAdminTls reads the certificate and key the admin configured; errors name the config key. */
export function loadAdminTls(certFile: string, keyFile: string): TlsMaterial {
  const read = (file: string, key: string): string => {
    try {
      return readFileSync(file, 'utf8')
    } catch (err) {
      throw new Error(`cannot read ${key} ${file}: ${(err as Error).message}`)
    }
  }
  return { cert: read(certFile, 'tls.certFile'), key: read(keyFile, 'tls.keyFile'), caCert: undefined, certFile }
}
