// Owns the license tables: the installed key and certificate, a pending offline activation,
// update-package licenses, and the forward-only clock.
// On Kysely (server/db/engine.ts): the same queries on SQLite and PostgreSQL; the one difference is
// the row lock a read taken for a change asks for (PostgreSQL only: SQLite has one writer anyway).
import type { Kysely } from 'kysely'
import type { DataLayer } from './engine.ts'
import type { Database } from './schema.ts'

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

/** Reads inside a transaction that will change what they read lock the row on PostgreSQL. */
export interface ReadOptions {
  forUpdate?: boolean
}

/**
 * createLicenseRepository works on the data layer or on a transaction of it (`db` a Kysely
 * Transaction, as services/license.ts passes), so a service's writes join its transaction.
 */
export function createLicenseRepository({ engine, db }: Pick<DataLayer, 'engine'> & { db: Kysely<Database> }) {
  const locking = (options: ReadOptions) => options.forUpdate === true && engine === 'postgres'

  /** The two writes of an activation; atomic because the caller runs them in one transaction. */
  const storeActivation = async (q: Kysely<Database>, l: Omit<StoredLicense, 'installedAt'>, now: number): Promise<void> => {
    const row = { license_id: l.licenseId, license_key: l.licenseKey, certificate: l.certificate, activated_at: l.activatedAt, installed_at: now }
    await q
      .insertInto('license')
      .values({ id: 1, ...row })
      .onConflict((oc) => oc.column('id').doUpdateSet(row))
      .execute()
    await q.deleteFrom('license_pending').execute()
  }

  return {
    async get(options: ReadOptions = {}): Promise<StoredLicense | undefined> {
      let query = db.selectFrom('license').selectAll().where('id', '=', 1)
      if (locking(options)) query = query.forUpdate()
      const r = await query.executeTakeFirst()
      return r && { licenseId: r.license_id, licenseKey: r.license_key, certificate: r.certificate, activatedAt: r.activated_at, installedAt: r.installed_at }
    },
    /**
     * saveActivated stores a verified key and certificate and ends any pending offline activation,
     * both or neither: in its own transaction, or in the caller's when `db` is one.
     */
    async saveActivated(l: Omit<StoredLicense, 'installedAt'>): Promise<void> {
      const now = Date.now()
      if (db.isTransaction) await storeActivation(db, l, now)
      else await db.transaction().execute((trx) => storeActivation(trx, l, now))
    },
    /** replaceKey swaps in a renewed key for the same license; the activation stays. */
    async replaceKey(licenseKey: string): Promise<void> {
      await db.updateTable('license').set({ license_key: licenseKey, installed_at: Date.now() }).where('id', '=', 1).execute()
    },
    async pending(options: ReadOptions = {}): Promise<PendingActivation | undefined> {
      let query = db.selectFrom('license_pending').selectAll().where('id', '=', 1)
      if (locking(options)) query = query.forUpdate()
      const r = await query.executeTakeFirst()
      return r && { licenseId: r.license_id, licenseKey: r.license_key, nonce: r.nonce, createdAt: r.created_at }
    },
    async savePending(p: Omit<PendingActivation, 'createdAt'>): Promise<void> {
      const row = { license_id: p.licenseId, license_key: p.licenseKey, nonce: p.nonce, created_at: Date.now() }
      await db
        .insertInto('license_pending')
        .values({ id: 1, ...row })
        .onConflict((oc) => oc.column('id').doUpdateSet(row))
        .execute()
    },
    async updatePackages(): Promise<StoredUpdatePackage[]> {
      const rows = await db.selectFrom('update_packages').select(['jti', 'license_id', 'token', 'updates_until']).orderBy('updates_until', 'desc').execute()
      return rows.map((r) => ({ jti: r.jti, licenseId: r.license_id, token: r.token, updatesUntil: r.updates_until }))
    },
    /** saveUpdatePackage stores a package; the same package (jti) installed again replaces its row. */
    async saveUpdatePackage(p: StoredUpdatePackage): Promise<void> {
      const row = { license_id: p.licenseId, token: p.token, updates_until: p.updatesUntil, installed_at: Date.now() }
      await db
        .insertInto('update_packages')
        .values({ jti: p.jti, ...row })
        .onConflict((oc) => oc.column('jti').doUpdateSet(row))
        .execute()
    },
    /**
     * changeMark returns a text that changes whenever a key, certificate or update package is
     * installed: the server polls it to pick up what the CLI installed from another process.
     */
    async changeMark(): Promise<string> {
      const [license, packages] = await Promise.all([
        db.selectFrom('license').select(['installed_at', 'certificate']).where('id', '=', 1).executeTakeFirst(),
        db.selectFrom('update_packages').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ])
      return `${license ? `${license.installed_at}:${license.certificate}` : ''}|${packages.n}`
    },
    /** lastSeen returns the latest unix second this server has recorded, or undefined on first run. */
    async lastSeen(): Promise<number | undefined> {
      return (await db.selectFrom('clock').select('last_seen').where('id', '=', 1).executeTakeFirst())?.last_seen
    },
    /** advanceClock records `now` unless an earlier-recorded time is later (the clock only moves forward). */
    async advanceClock(now: number): Promise<void> {
      // The upsert's WHERE keeps the later time on both engines (no MAX/GREATEST, whose names differ).
      await db
        .insertInto('clock')
        .values({ id: 1, last_seen: now })
        .onConflict((oc) =>
          oc
            .column('id')
            .doUpdateSet({ last_seen: (e) => e.ref('excluded.last_seen') })
            .where('clock.last_seen', '<', (e) => e.ref('excluded.last_seen')),
        )
        .execute()
    },
  }
}

export type LicenseRepository = ReturnType<typeof createLicenseRepository>
