// The machine fingerprint an activation binds a license to: several hashed components, so that
// renaming the host or changing a network card does not stop a company's meetings, while a cloned
// virtual machine (new machine-id and product UUID) does not pass.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs'
import { hostname } from 'node:os'
import { join, resolve } from 'node:path'

export const COMPONENTS = ['machineId', 'productUuid', 'rootFsUuid', 'mac', 'hostname'] as const
export type Component = (typeof COMPONENTS)[number]
export type Fingerprint = Partial<Record<Component, string>>

/** Components that identify the machine itself; a match needs at least one of them. */
const IDENTITY: Component[] = ['machineId', 'productUuid']
/** How many components must match when an identifying component changed. */
const QUORUM = 3

const hash = (name: Component, value: string): string =>
  createHash('sha256').update(`veche-fingerprint-v1:${name}:${value.trim().toLowerCase()}`).digest('hex').slice(0, 32)

const readText = (path: string): string | undefined => {
  try {
    const text = readFileSync(path, 'utf8').trim()
    return text || undefined
  } catch {
    return undefined
  }
}

/** rootFsUuid finds the UUID of the filesystem mounted at / through /dev/disk/by-uuid. */
function rootFsUuid(root: string): string | undefined {
  const mountinfo = readText(join(root, 'proc/self/mountinfo'))
  const line = mountinfo?.split('\n').find((l) => l.split(' ')[4] === '/')
  const device = line?.split(' - ')[1]?.split(' ')[1]
  if (!device?.startsWith('/dev/')) return undefined
  const byUuid = join(root, 'dev/disk/by-uuid')
  try {
    const target = realpathSync(join(root, device))
    for (const uuid of readdirSync(byUuid)) {
      const link = join(byUuid, uuid)
      if (resolve(byUuid, readlinkSync(link)) === target || realpathSync(link) === target) return uuid
    }
  } catch {
    return undefined
  }
  return undefined
}

/** primaryMac is the MAC of the first physical network interface (one with a device), by name. */
function primaryMac(root: string): string | undefined {
  const net = join(root, 'sys/class/net')
  let names: string[]
  try {
    names = readdirSync(net).sort()
  } catch {
    return undefined
  }
  for (const name of names) {
    if (name === 'lo') continue
    const physical = readText(join(net, name, 'device/uevent')) !== undefined || readdirSafe(join(net, name, 'device'))
    const mac = readText(join(net, name, 'address'))
    if (physical && mac && mac !== '00:00:00:00:00:00') return mac
  }
  return undefined
}

function readdirSafe(path: string): boolean {
  try {
    readdirSync(path)
    return true
  } catch {
    return false
  }
}

export interface FingerprintOptions {
  /** Filesystem root to read from; tests lay out a machine in a folder. */
  root?: string
}

/** readFingerprint returns this machine's hashed components; unreadable ones are left out. */
export function readFingerprint({ root = '/' }: FingerprintOptions = {}): Fingerprint {
  const raw: Record<Component, string | undefined> = {
    machineId: readText(join(root, 'etc/machine-id')) ?? readText(join(root, 'var/lib/dbus/machine-id')),
    productUuid: readText(join(root, 'sys/class/dmi/id/product_uuid')),
    rootFsUuid: rootFsUuid(root),
    mac: primaryMac(root),
    hostname: root === '/' ? hostname() : readText(join(root, 'etc/hostname')),
  }
  const fingerprint: Fingerprint = {}
  for (const name of COMPONENTS) {
    const value = raw[name]
    if (value) fingerprint[name] = hash(name, value)
  }
  return fingerprint
}

export interface FingerprintMatch {
  ok: boolean
  matched: Component[]
  changed: Component[]
}

/**
 * matchFingerprint compares the certified fingerprint with the current one. It passes when a component
 * that identifies the machine (machine-id or product UUID) still matches and either every certified
 * identifying component matches or at least three components do: a renamed host or a new network card
 * keeps working; a cloned VM (new machine-id and UUID on a copied disk) does not.
 */
export function matchFingerprint(certified: Record<string, string>, current: Fingerprint): FingerprintMatch {
  const matched: Component[] = []
  const changed: Component[] = []
  for (const name of COMPONENTS) {
    const was = certified[name]
    // Unreadable now (e.g. product_uuid is root-only and the server runs unprivileged): unknown, not changed.
    if (was === undefined || current[name] === undefined) continue
    if (current[name] === was) matched.push(name)
    else changed.push(name)
  }
  const identityMatched = matched.filter((c) => IDENTITY.includes(c))
  const identityChanged = changed.filter((c) => IDENTITY.includes(c))
  const ok = identityMatched.length > 0 && (identityChanged.length === 0 || matched.length >= QUORUM)
  return { ok, matched, changed }
}
