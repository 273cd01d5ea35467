// Opens the installation's database for a CLI command and closes it after.
import { join, resolve } from 'node:path'
import { openDatabase } from '../server/db/database.ts'
import { createDb, type DataLayer } from '../server/db/engine.ts'
import { configFrom, type ConfigFlags } from './config-options.ts'

/**
 * withDataLayer runs `run` with the data layer on the data folder's database (SQLite: the server runs
 * on nothing else yet, see server/db/engine.ts step 5), and closes the database after.
 */
export async function withDataLayer<T>(flags: ConfigFlags, run: (dataLayer: DataLayer) => Promise<T>): Promise<T> {
  const db = openDatabase(join(resolve(configFrom(flags).data.dir), 'veche.db'))
  try {
    return await run(createDb({ url: '', password: '', passwordFile: '' }, db))
  } finally {
    db.close()
  }
}
