// Owns the vendor database: opening it (pragmas, migrations) and every query on its tables. Used by the
// activation service and by the veche-vendor commands, often on the same file at the same time.
import Database from 'better-sqlite3'
import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { LicenseClaims, LicenseId, UpdatePackageClaims } from '../../claims.ts'
import { migrate } from './migrations.ts'

export type Db = Database.Database
export type ActivationId = string & { readonly __brand: 'ActivationId' }

/** newActivationId returns `act_` + 96 random bits, base64url: short enough to type on a support call. */
export const newActivationId = (): ActivationId => `act_${randomBytes(12).toString('base64url')}` as ActivationId

/**
 * openVendorDatabase opens (creating if needed) the vendor database and applies pending migrations.
 * Throws VendorError schema_too_new when a newer veche-vendor wrote it.
 */
export function openVendorDatabase(file: string): Db {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  const db = new Database(file)
  // WAL: `veche-vendor activation list` reads while the service writes, without blocking it.
  db.pragma('journal_mode = WAL')
  // FULL: an activation row is the vendor's only memory of a slot handed out; writes are rare.
  db.pragma('synchronous = FULL')
  // The CLI (revoke, release, certify) may hold the write lock briefly while the service runs.
  db.pragma('busy_timeout = 5000')
  db.pragma('foreign_keys = ON')
  migrate(db)
  return db
}

export interface LicenseRecord {
  id: LicenseId
  licensee: string
  plan: string
  issuedAt: number
  activations: number
  recordedBy: 'issue' | 'activation'
  revokedAt: number | undefined
}

export interface Activation {
  id: ActivationId
  licenseId: LicenseId
  machineId: string | undefined
  productUuid: string | undefined
  fingerprint: Record<string, string>
  hostname: string
  version: string
  activatedAt: number
  renewedAt: number
  releasedAt: number | undefined
}

/** What a machine tells the service about itself when it activates. */
export interface MachineInfo {
  fingerprint: Record<string, string>
  hostname: string
  version: string
}

interface LicenseRow {
  id: string
  licensee: string
  plan: string
  issued_at: number
  activations: number
  recorded_by: 'issue' | 'activation'
  revoked_at: number | null
}

interface ActivationRow {
  id: string
  license_id: string
  machine_id: string | null
  product_uuid: string | null
  fingerprint: string
  hostname: string
  version: string
  activated_at: number
  renewed_at: number
  released_at: number | null
}

const toLicense = (r: LicenseRow): LicenseRecord => ({
  id: r.id as LicenseId,
  licensee: r.licensee,
  plan: r.plan,
  issuedAt: r.issued_at,
  activations: r.activations,
  recordedBy: r.recorded_by,
  revokedAt: r.revoked_at ?? undefined,
})

const toActivation = (r: ActivationRow): Activation => ({
  id: r.id as ActivationId,
  licenseId: r.license_id as LicenseId,
  machineId: r.machine_id ?? undefined,
  productUuid: r.product_uuid ?? undefined,
  fingerprint: JSON.parse(r.fingerprint) as Record<string, string>,
  hostname: r.hostname,
  version: r.version,
  activatedAt: r.activated_at,
  renewedAt: r.renewed_at,
  releasedAt: r.released_at ?? undefined,
})

export function createVendorStore(db: Db) {
  const licenseById = db.prepare<[string], LicenseRow>(
    'SELECT l.*, r.revoked_at FROM licenses l LEFT JOIN revocations r ON r.license_id = l.id WHERE l.id = ?',
  )
  const insertLicense = db.prepare(
    `INSERT INTO licenses (id, licensee, plan, issued_at, activations, claims, recorded_by, recorded_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
  )
  const evaluations = db.prepare<[], LicenseRow>(
    `SELECT l.*, r.revoked_at FROM licenses l LEFT JOIN revocations r ON r.license_id = l.id
     WHERE json_extract(l.claims, '$.kind') = 'evaluation' ORDER BY l.issued_at`,
  )
  const revocationOf = db.prepare<[string], { revoked_at: number }>('SELECT revoked_at FROM revocations WHERE license_id = ?')
  const insertRevocation = db.prepare('INSERT INTO revocations (license_id, revoked_at) VALUES (?, ?) ON CONFLICT DO NOTHING')

  const activationById = db.prepare<[string], ActivationRow>('SELECT * FROM activations WHERE id = ?')
  const activeForMachine = db.prepare<[string, string | null, string | null], ActivationRow>(
    `SELECT * FROM activations WHERE license_id = ? AND released_at IS NULL
     AND (machine_id = ? OR product_uuid = ?) ORDER BY activated_at LIMIT 1`,
  )
  const activeForLicense = db.prepare<[string], ActivationRow>(
    'SELECT * FROM activations WHERE license_id = ? AND released_at IS NULL ORDER BY activated_at',
  )
  const allActivations = db.prepare<[], ActivationRow>('SELECT * FROM activations ORDER BY activated_at')
  const activationsOfLicense = db.prepare<[string], ActivationRow>('SELECT * FROM activations WHERE license_id = ? ORDER BY activated_at')
  const insertActivation = db.prepare(
    `INSERT INTO activations (id, license_id, machine_id, product_uuid, fingerprint, hostname, version, activated_at, renewed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const renewActivation = db.prepare(
    'UPDATE activations SET machine_id = ?, product_uuid = ?, fingerprint = ?, hostname = ?, version = ?, renewed_at = ? WHERE id = ?',
  )
  const releaseActivation = db.prepare('UPDATE activations SET released_at = ? WHERE id = ? AND released_at IS NULL')
  const insertUpdatePackage = db.prepare('INSERT INTO update_packages (id, license_id, updates_until, issued_at) VALUES (?, ?, ?, ?)')

  const recordLicense = (claims: LicenseClaims, by: LicenseRecord['recordedBy'], now: number): void => {
    insertLicense.run(claims.sub, claims.licensee.name, claims.plan, claims.iat, claims.activations, JSON.stringify(claims), by, now)
  }
  const identity = (m: MachineInfo) => [m.fingerprint.machineId ?? null, m.fingerprint.productUuid ?? null] as const

  return {
    /** transaction runs fn holding the write lock from the start (BEGIN IMMEDIATE), so a count and the insert it allows cannot interleave with another writer. */
    transaction<T>(fn: () => T): T {
      return db.transaction(fn).immediate()
    },

    licenses: {
      get(id: string): LicenseRecord | undefined {
        const row = licenseById.get(id)
        return row && toLicense(row)
      },
      /** recordIssued stores a license `veche-vendor license issue` just signed. */
      recordIssued(claims: LicenseClaims, now: number): void {
        recordLicense(claims, 'issue', now)
      },
      /** recordSeen stores a license the activation service verified, unless already known. */
      recordSeen(claims: LicenseClaims, now: number): void {
        recordLicense(claims, 'activation', now)
      },
      /** evaluationsOf returns the evaluation keys recorded for `licensee`, oldest first (case and spacing ignored). */
      evaluationsOf(licensee: string): LicenseRecord[] {
        // In JS, not SQL: SQLite's lower() folds ASCII only, and licensees are often Cyrillic.
        const same = (name: string): string => name.trim().replace(/\s+/g, ' ').toLocaleLowerCase()
        return evaluations.all().filter((r) => same(r.licensee) === same(licensee)).map(toLicense)
      },
      /** revokedAt returns when `id` was revoked, or undefined. */
      revokedAt(id: string): number | undefined {
        return revocationOf.get(id)?.revoked_at
      },
      /** revoke records the revocation (the first one stands) and returns its time. */
      revoke(id: LicenseId, now: number): number {
        insertRevocation.run(id, now)
        return revocationOf.get(id)!.revoked_at
      },
    },

    activations: {
      get(id: string): Activation | undefined {
        const row = activationById.get(id)
        return row && toActivation(row)
      },
      /** findActiveForMachine returns the unreleased activation of `licenseId` whose machine-id or product UUID hash equals the machine's. */
      findActiveForMachine(licenseId: LicenseId, machine: MachineInfo): Activation | undefined {
        const [machineId, productUuid] = identity(machine)
        const row = activeForMachine.get(licenseId, machineId, productUuid)
        return row && toActivation(row)
      },
      listActive(licenseId: LicenseId): Activation[] {
        return activeForLicense.all(licenseId).map(toActivation)
      },
      /** list returns every activation, released ones too, oldest first. */
      list(licenseId?: string): Activation[] {
        return (licenseId ? activationsOfLicense.all(licenseId) : allActivations.all()).map(toActivation)
      },
      create(licenseId: LicenseId, machine: MachineInfo, now: number): Activation {
        const id = newActivationId()
        insertActivation.run(id, licenseId, ...identity(machine), JSON.stringify(machine.fingerprint), machine.hostname, machine.version, now, now)
        return this.get(id)!
      },
      /** renew replaces the machine's fingerprint and details (a re-activation after a hardware change) and returns the activation. */
      renew(id: ActivationId, machine: MachineInfo, now: number): Activation {
        renewActivation.run(...identity(machine), JSON.stringify(machine.fingerprint), machine.hostname, machine.version, now, id)
        return this.get(id)!
      },
      /** release frees the slot; false if the activation was already released. */
      release(id: ActivationId, now: number): boolean {
        return releaseActivation.run(now, id).changes === 1
      },
    },

    updatePackages: {
      record(claims: UpdatePackageClaims): void {
        insertUpdatePackage.run(claims.jti, claims.sub, claims.updatesUntil, claims.iat)
      },
    },
  }
}

export type VendorStore = ReturnType<typeof createVendorStore>
