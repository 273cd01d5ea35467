// The TLS certificate the server presents: readable, in date, and valid for this server's names.
// Browsers allow camera and microphone only over https, so a bad certificate stops every meeting.
import { X509Certificate, createPrivateKey } from 'node:crypto'
import { existsSync, readFileSync, renameSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Config } from '../../../config/schema.ts'
import { ensureLocalTls } from '../../../server/tls/local-ca.ts'
import type { Check, CheckResult } from '../check.ts'
import { certificateNames } from '../../../server/tls/for-config.ts'
import { adminCertificateNames, isCovered } from '../certificate-names.ts'
import { giveToDataOwner } from '../ownership.ts'

const DAY_MS = 24 * 60 * 60 * 1000
/** The server renews the local CA's certificate at start within this many days of expiry. */
const WARN_DAYS = 30

const isoDate = (d: Date): string => d.toISOString().slice(0, 10)

/** judge returns the certificate's standing at `now`; `renew` is how the operator gets a new one. */
function judge(cert: X509Certificate, file: string, names: string[], now: number, renew: string): CheckResult {
  const notAfter = cert.validToDate
  const daysLeft = Math.floor((notAfter.getTime() - now) / DAY_MS)
  if (notAfter.getTime() <= now) return { status: 'error', message: `${file} expired on ${isoDate(notAfter)}: ${renew}` }
  if (cert.validFromDate.getTime() > now) {
    return { status: 'error', message: `${file} is valid only from ${isoDate(cert.validFromDate)}: the clock is wrong (\`timedatectl set-ntp true\`) or ${renew}` }
  }
  const missing = names.filter((n) => !isCovered(cert, n))
  const valid = `${file}: valid until ${isoDate(notAfter)} (${daysLeft} days)`
  if (missing.length) return { status: 'warning', message: `${valid}, but not for ${missing.join(', ')}: ${renew}` }
  if (daysLeft < WARN_DAYS) return { status: 'warning', message: `${valid}, under ${WARN_DAYS} days left: ${renew}` }
  return { status: 'ok', message: `${valid}, covers ${names.length ? names.join(', ') : (cert.subjectAltName ?? cert.subject)}` }
}

function parse(pem: string): X509Certificate | Error {
  try {
    return new X509Certificate(pem)
  } catch (err) {
    return err as Error
  }
}

function adminCertificate(config: Config, now: number): CheckResult {
  const { certFile, keyFile } = config.tls
  if (!certFile || !keyFile) return { status: 'error', message: 'only one of tls.certFile and tls.keyFile is set: set both, or neither to use the local CA' }
  let pem: string
  let keyPem: string
  try {
    pem = readFileSync(certFile, 'utf8')
    keyPem = readFileSync(keyFile, 'utf8')
  } catch (err) {
    return { status: 'error', message: `cannot read tls.certFile/tls.keyFile: ${(err as Error).message}` }
  }
  const cert = parse(pem)
  if (cert instanceof Error) return { status: 'error', message: `tls.certFile ${certFile} is not a PEM certificate (${cert.message}): set tls.certFile to the certificate` }
  try {
    if (!cert.checkPrivateKey(createPrivateKey(keyPem))) {
      return { status: 'error', message: `tls.keyFile ${keyFile} is not the key of the certificate in tls.certFile: set tls.keyFile to its key` }
    }
  } catch (err) {
    return { status: 'error', message: `tls.keyFile ${keyFile} is not a PEM private key (${(err as Error).message}): set tls.keyFile to the certificate's key` }
  }
  // An organisation's certificate comes from its CA; doctor cannot renew it.
  return judge(cert, certFile, adminCertificateNames(config), now, `the admin renews it with the organisation's CA and replaces tls.certFile (no automatic fix)`)
}

function localCertificate(config: Config, now: number, autofix: boolean): CheckResult {
  const dir = join(resolve(config.data.dir), 'tls')
  const file = join(dir, 'server.crt')
  const names = certificateNames(config)
  const renew = '`veche doctor --fix` issues a new one from the local CA (so does starting the server)'
  const inspect = (): CheckResult => {
    if (!existsSync(file) || !existsSync(join(dir, 'server.key'))) {
      return { status: 'warning', message: `no server certificate and key in ${dir} yet: \`veche serve\` creates them at first start, or \`veche doctor --fix\`` }
    }
    const cert = parse(readFileSync(file, 'utf8'))
    if (cert instanceof Error) return { status: 'error', message: `${file} is not a PEM certificate (${cert.message}): ${renew}` }
    return judge(cert, file, names, now, renew)
  }
  const before = inspect()
  if (before.status === 'ok' || !autofix) return before
  // A file the CA code cannot parse would stop ensureLocalTls too; keep it aside for a look.
  const unreadable = existsSync(file) && parse(readFileSync(file, 'utf8')) instanceof Error ? `${file}.broken-${now}` : undefined
  if (unreadable) renameSync(file, unreadable)
  const { created } = ensureLocalTls(dir, names)
  giveToDataOwner(resolve(config.data.dir), [dir, ...['ca.key', 'ca.crt', 'server.key', 'server.crt'].map((f) => join(dir, f))])
  const after = inspect()
  if (!created.includes('server')) return after
  const what = created.includes('ca') ? 'created the local CA and a server certificate' : 'issued a new server certificate from the local CA'
  const kept = unreadable ? ` (the unreadable one is kept as ${unreadable})` : ''
  return { ...after, fixed: `${what}${kept}: restart the server to present it` }
}

export const certificateCheck: Check = {
  name: 'certificate',
  title: 'TLS certificate',
  async run(ctx, autofix) {
    const config = ctx.config()
    return config.tls.certFile || config.tls.keyFile ? adminCertificate(config, ctx.now()) : localCertificate(config, ctx.now(), autofix)
  },
}
