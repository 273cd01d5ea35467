// The names an admin's certificate must cover, and how to test one name against a certificate.
// (The local CA's names are server/tls/for-config.ts certificateNames, the list serve uses.)
import { isIP } from 'node:net'
import type { Config } from '../../config/schema.ts'

/**
 * adminCertificateNames returns the names an admin's certificate must cover: the host of
 * server.publicUrl and tls.hostnames. Machine addresses are not required of an organisation's certificate.
 */
export function adminCertificateNames(config: Config): string[] {
  const names = [...config.tls.hostnames]
  if (config.server.publicUrl) {
    try {
      names.unshift(new URL(config.server.publicUrl).hostname.replace(/^\[|\]$/g, ''))
    } catch {
      // A malformed publicUrl is the config's problem, not the certificate's.
    }
  }
  return [...new Set(names)]
}

/** isCovered tells whether `cert` is valid for `name` (a DNS name, wildcards included, or an IP address). */
export function isCovered(cert: { checkHost(name: string): string | undefined; checkIP(ip: string): string | undefined }, name: string): boolean {
  return isIP(name) ? cert.checkIP(name) !== undefined : cert.checkHost(name) !== undefined
}
