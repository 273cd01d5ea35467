// Owns the license tables: the installed key and certificate, a pending offline activation,
// update-package licenses, and the forward-only clock.
import type { Db } from './database.ts'

export interface StoredLicense {
  licenseId: string
  licenseKey: string
  certificate: string
  activatedAt: number
  installedAt: number
}

export interface PendingActivation {
  licenseId: string
  licenseKey: string
  nonce: string
  createdAt: number
}

export interface StoredUpdatePackage {
  jti: string
  licenseId: string
  token: string
  updatesUntil: number
}

export function createLicenseRepository(db: Db) {
  const getLicense = db.prepare<[], { license_id: string; license_key: string; certificate: string; activated_at: number; installed_at: number }>(
    'SELECT * FROM license WHERE id = 1',
  )
  const putLicense = db.prepare(
    `INSERT INTO license (id, license_id, license_key, certificate, activated_at, installed_at) VALUES (1, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET license_id = excluded.license_id, license_key = excluded.license_key,
       certificate = excluded.certificate, activated_at = excluded.activated_at, installed_at = excluded.installed_at`,
  )
  const setKey = db.prepare('UPDATE license SET license_key = ?, installed_at = ? WHERE id = 1')
  const getPending = db.prepare<[], { license_id: string; license_key: string; nonce: string; created_at: number }>(
    'SELECT * FROM license_pending WHERE id = 1',
  )
  const putPending = db.prepare(
    `INSERT INTO license_pending (id, license_id, license_key, nonce, created_at) VALUES (1, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET license_id = excluded.license_id, license_key = excluded.license_key,
       nonce = excluded.nonce, created_at = excluded.created_at`,
  )
  const dropPending = db.prepare('DELETE FROM license_pending')
  const listPackages = db.prepare<[], { jti: string; license_id: string; token: string; updates_until: number }>(
    'SELECT jti, license_id, token, updates_until FROM update_packages ORDER BY updates_until DESC',
  )
  const putPackage = db.prepare(
    'INSERT OR REPLACE INTO update_packages (jti, license_id, token, updates_until, installed_at) VALUES (?, ?, ?, ?, ?)',
  )
  const getClock = db.prepare<[], { last_seen: number }>('SELECT last_seen FROM clock WHERE id = 1')
  const advanceClock = db.prepare(
    'INSERT INTO clock (id, last_seen) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET last_seen = MAX(last_seen, excluded.last_seen)',
  )

  return {
    get(): StoredLicense | undefined {
      const r = getLicense.get()
      return r && { licenseId: r.license_id, licenseKey: r.license_key, certificate: r.certificate, activatedAt: r.activated_at, installedAt: r.installed_at }
    },
    /** saveActivated stores a verified key and certificate and ends any pending offline activation. */
    saveActivated(l: Omit<StoredLicense, 'installedAt'>): void {
      db.transaction(() => {
        putLicense.run(l.licenseId, l.licenseKey, l.certificate, l.activatedAt, Date.now())
        dropPending.run()
      })()
    },
    /** replaceKey swaps in a renewed key for the same license; the activation stays. */
    replaceKey(licenseKey: string): void {
      setKey.run(licenseKey, Date.now())
    },
    pending(): PendingActivation | undefined {
      const r = getPending.get()
      return r && { licenseId: r.license_id, licenseKey: r.license_key, nonce: r.nonce, createdAt: r.created_at }
    },
    savePending(p: Omit<PendingActivation, 'createdAt'>): void {
      putPending.run(p.licenseId, p.licenseKey, p.nonce, Date.now())
    },
    updatePackages(): StoredUpdatePackage[] {
      return listPackages.all().map((r) => ({ jti: r.jti, licenseId: r.license_id, token: r.token, updatesUntil: r.updates_until }))
    },
    saveUpdatePackage(p: StoredUpdatePackage): void {
      putPackage.run(p.jti, p.licenseId, p.token, p.updatesUntil, Date.now())
    },
    /** lastSeen returns the latest unix second this server has recorded, or undefined on first run. */
    lastSeen(): number | undefined {
      return getClock.get()?.last_seen
    },
    /** advanceClock records `now` unless an earlier-recorded time is later (the clock only moves forward). */
    advanceClock(now: number): void {
      advanceClock.run(now)
    },
  }
}

export type LicenseRepository = ReturnType<typeof createLicenseRepository>
