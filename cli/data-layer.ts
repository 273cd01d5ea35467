// Opens the installation's database for a CLI command and closes it after: the engine the config
// chooses, as the server opens it (SQLite in the data folder, or PostgreSQL for a database.url).
import { join, resolve } from 'node:path'
import type { Config } from '../config/schema.ts'
import { openDatabase } from '../server/db/database.ts'
import { createDb, usesPostgres, type DataLayer } from '../server/db/engine.ts'
import { migratePostgres, MigrationError } from '../server/db/migrations.ts'
import { connectProblem } from '../server/db/postgres-problems.ts'
import { configFrom, type ConfigFlags } from './config-options.ts'
import { CliError } from './errors.ts'

/** How long a command waits for PostgreSQL before saying it cannot be reached. */
const CONNECT_TIMEOUT_MS = 10_000

/**
 * openDataLayer returns the data layer on the configured database, migrated as the server would
 * migrate it, and how to close it. Throws CliError naming database.url and the fix when PostgreSQL
 * cannot be used, MigrationError for a schema from a newer release.
 */
export async function openDataLayer(config: Config): Promise<{ dataLayer: DataLayer; close(): Promise<void> }> {
  if (!usesPostgres(config.database)) {
    const db = openDatabase(join(resolve(config.data.dir), 'veche.db'))
    return { dataLayer: createDb(config.database, db), close: async () => void db.close() }
  }
  const dataLayer = createDb(config.database, undefined, { connectTimeoutMs: CONNECT_TIMEOUT_MS })
  try {
    await migratePostgres(dataLayer.db)
  } catch (err) {
    await dataLayer.close().catch(() => undefined)
    if (err instanceof MigrationError) throw err
    throw new CliError(connectProblem(err, config.database.url, 'database.url'))
  }
  return { dataLayer, close: () => dataLayer.close() }
}

/** withDataLayer runs `run` with the data layer on the configured database, and closes it after. */
export async function withDataLayer<T>(flags: ConfigFlags, run: (dataLayer: DataLayer) => Promise<T>): Promise<T> {
  const { dataLayer, close } = await openDataLayer(configFrom(flags))
  try {
    return await run(dataLayer)
  } finally {
    await close()
  }
}
