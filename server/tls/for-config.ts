// Chooses the TLS material the configuration asks for: the admin's certificate, or the local CA's
// certificate for every name and address of this machine. Shared by `serve` and `veche tls ensure`.
import { join } from 'node:path'
import type { Config } from '../../config/schema.ts'
import { detectAnnouncedAddress, hostNames, localAddresses } from '../network.ts'
import { ensureLocalTls, loadAdminTls, type TlsMaterial } from './local-ca.ts'

/** certificateNames lists the DNS names and addresses the local certificate must cover. */
export function certificateNames(config: Config): string[] {
  const announced = config.media.announcedAddress || detectAnnouncedAddress()
  return [...hostNames(config.tls.hostnames), ...new Set([announced, ...localAddresses()])]
}

/** tlsFor returns key and certificate; creates or renews the local ones when needed. Throws on a bad admin setup. */
export function tlsFor(config: Config, dataDir: string): TlsMaterial & { created?: string[] } {
  if (config.tls.certFile || config.tls.keyFile) {
    if (!config.tls.certFile || !config.tls.keyFile) throw new Error('set both tls.certFile and tls.keyFile, or neither')
    return loadAdminTls(config.tls.certFile, config.tls.keyFile)
  }
  return ensureLocalTls(join(dataDir, 'tls'), certificateNames(config))
}
