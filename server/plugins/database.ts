// Opens the database the config chooses (SQLite in the data folder, or PostgreSQL for a database.url)
// and decorates the repositories; routes read the decorators. Also says which errors mean the
// database is away, so that requests answer 503 naming it instead of failing as a bug.
import fp from 'fastify-plugin'
import type { FastifyBaseLogger } from 'fastify'
import { join } from 'node:path'
import { createAuditRepository, type AuditRepository } from '../db/audit-repository.ts'
import { openDatabase, type Db } from '../db/database.ts'
import { createDb, DatabaseConfigError, usesPostgres, type DataLayer, type DatabaseSettings } from '../db/engine.ts'
import { createInvitationsRepository, type InvitationsRepository } from '../db/invitations-repository.ts'
import { MigrationError, migratePostgres } from '../db/migrations.ts'
import { connectProblem, isDatabaseAway, where } from '../db/postgres-problems.ts'
import { applyPendingRestore } from '../db/restore.ts'
import { createRoomsRepository, type RoomsRepository } from '../db/rooms-repository.ts'
import { createSessionsRepository, type SessionsRepository } from '../db/sessions-repository.ts'
import { createUsersRepository, type UsersRepository } from '../db/users-repository.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The SQLite file's own connection, undefined on PostgreSQL. Nothing in the app needs it (all
     * goes through dataLayer); tests look into the SQLite file through it.
     */
    db: Db | undefined
    dataLayer: DataLayer
    /** The database in words for messages: "PostgreSQL at role@host:port/name" or "SQLite file <path>". */
    databaseName: string
    /** databaseAway returns the 503 message when `err` means the database cannot be reached now, else undefined. */
    databaseAway(err: unknown): string | undefined
    usersRepository: UsersRepository
    sessionsRepository: SessionsRepository
    roomsRepository: RoomsRepository
    auditRepository: AuditRepository
    invitationsRepository: InvitationsRepository
  }
}

export interface DatabasePluginOptions {
  dataDir: string
  /** config.database; absent: SQLite. */
  database?: DatabaseSettings
}

/**
 * How long a connection attempt may take. Bounds the start (under Fastify's 10 s plugin timeout) and
 * each request while PostgreSQL is away behind a firewall that drops packets.
 */
const CONNECT_TIMEOUT_MS = 5_000

/**
 * openPostgres returns the data layer on database.url with the schema migrated (under the advisory
 * lock, so servers starting together migrate once). Throws DatabaseConfigError naming database.url
 * and the cause when it cannot connect, MigrationError when the schema is from a newer release.
 */
async function openPostgres(settings: DatabaseSettings, log: FastifyBaseLogger): Promise<DataLayer> {
  const at = where(settings.url)
  const layer = createDb(settings, undefined, {
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    // A restart of PostgreSQL cuts the idle connections: the pool drops them, the next query reconnects.
    onIdleError: (err) => log.warn({ database: at, err: err.message }, 'PostgreSQL closed a connection; the next query reconnects'),
  })
  try {
    const applied = await migratePostgres(layer.db)
    if (applied) log.info({ database: at, applied }, 'database schema migrated')
    return layer
  } catch (err) {
    await layer.close().catch(() => undefined)
    if (err instanceof MigrationError) throw new MigrationError(`PostgreSQL at ${at} (database.url): ${err.message}`)
    if (err instanceof DatabaseConfigError) throw err
    throw new DatabaseConfigError(connectProblem(err, settings.url, 'database.url'))
  }
}

export default fp<DatabasePluginOptions>(
  async (app, { dataDir, database }) => {
    let layer: DataLayer
    let db: Db | undefined
    if (database && usesPostgres(database)) {
      layer = await openPostgres(database, app.log)
      app.decorate('databaseName', `PostgreSQL at ${where(database.url)}`)
    } else {
      // A restore is staged as a file beside the SQLite database; PostgreSQL's is done by `veche restore` itself.
      const restored = applyPendingRestore(dataDir)
      if (restored) app.log.warn({ from: restored.database, reason: restored.reason }, 'database restored from backup')
      const file = join(dataDir, 'veche.db')
      db = openDatabase(file)
      layer = createDb({ url: '', password: '', passwordFile: '' }, db)
      app.decorate('databaseName', `SQLite file ${file}`)
    }
    app.decorate('db', db)
    app.decorate('dataLayer', layer)
    // SQLite is a file in our own process: it is never "away"; its errors are bugs or a full disk.
    app.decorate('databaseAway', (err: unknown) =>
      layer.engine === 'postgres' && isDatabaseAway(err) ? `the database (${app.databaseName}) does not answer; try again in a moment` : undefined,
    )
    app.decorate('usersRepository', createUsersRepository(layer))
    app.decorate('sessionsRepository', createSessionsRepository(layer))
    app.decorate('roomsRepository', createRoomsRepository(layer))
    app.decorate('auditRepository', createAuditRepository(layer))
    app.decorate('invitationsRepository', createInvitationsRepository(layer))
    const purge = setInterval(() => {
      app.sessionsRepository.purgeExpired().catch((err: Error) => app.log.warn({ err: err.message }, 'expired sessions not purged; the next hour tries again'))
    }, 60 * 60 * 1000)
    purge.unref()
    app.addHook('onClose', async () => {
      clearInterval(purge)
      await layer.close()
      db?.close()
    })
  },
  { name: 'database' },
)
