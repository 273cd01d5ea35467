// What this machine's addresses are, for media announcements and certificate names.
import { networkInterfaces, hostname } from 'node:os'

/** localAddresses returns every address of every interface, IPv4 first. */
export function localAddresses(): string[] {
  const all = Object.values(networkInterfaces()).flatMap((list) => list ?? [])
  const v4 = all.filter((a) => a.family === 'IPv4').map((a) => a.address)
  const v6 = all.filter((a) => a.family === 'IPv6' && !a.address.startsWith('fe80')).map((a) => a.address)
  return [...new Set([...v4, ...v6])]
}

/**
 * detectAnnouncedAddress returns the address browsers should send media to when none is configured:
 * the first non-internal IPv4 address, else loopback (a lone laptop still works for itself).
 */
export function detectAnnouncedAddress(): string {
  const all = Object.values(networkInterfaces()).flatMap((list) => list ?? [])
  return all.find((a) => a.family === 'IPv4' && !a.internal)?.address ?? '127.0.0.1'
}

export function hostNames(extra: string[]): string[] {
  const host = hostname()
  return [...new Set(['localhost', host, ...extra].filter(Boolean))]
}
