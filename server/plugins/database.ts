// Opens the SQLite database for the app and decorates the repositories; routes read the decorators.
import fp from 'fastify-plugin'
import { join } from 'node:path'
import { createAuditRepository, type AuditRepository } from '../db/audit-repository.ts'
import { openDatabase, type Db } from '../db/database.ts'
import { createDb, DatabaseConfigError, usesPostgres, type DataLayer, type DatabaseSettings } from '../db/engine.ts'
import { createInvitationsRepository, type InvitationsRepository } from '../db/invitations-repository.ts'
import { applyPendingRestore } from '../db/restore.ts'
import { createRoomsRepository, type RoomsRepository } from '../db/rooms-repository.ts'
import { createSessionsRepository, type SessionsRepository } from '../db/sessions-repository.ts'
import { createUsersRepository, type UsersRepository } from '../db/users-repository.ts'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
    /** Kysely on the same connection, for the repositories already converted (server/db/engine.ts). */
    dataLayer: DataLayer
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

export default fp<DatabasePluginOptions>(
  async (app, { dataDir, database }) => {
    // Until every repository runs on Kysely (server/db/engine.ts), the app needs the SQLite file.
    if (database && usesPostgres(database)) {
      throw new DatabaseConfigError('database.url chooses PostgreSQL, which this release cannot run on yet: leave database.url empty to keep the SQLite database in the data folder')
    }
    const restored = applyPendingRestore(dataDir)
    if (restored) app.log.warn({ from: restored.database, reason: restored.reason }, 'database restored from backup')
    const db = openDatabase(join(dataDir, 'veche.db'))
    app.decorate('db', db)
    const layer = createDb({ url: '', password: '', passwordFile: '' }, db)
    app.decorate('dataLayer', layer)
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
      db.close()
    })
  },
  { name: 'database' },
)
