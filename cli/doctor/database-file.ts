// Opens Veche's database for looking only: doctor writes nothing unless --fix asks it to.
import Database from 'better-sqlite3'
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import type { Config } from '../../config/schema.ts'
import type { Db } from '../../server/db/database.ts'
import { listMigrations, schemaVersion } from '../../server/db/migrations.ts'
import { SkipCheck } from './check.ts'
import { giveToDataOwner } from './ownership.ts'

/** databaseFile is where the server keeps its database (as serve and update use it). */
export const databaseFile = (config: Config): string => join(resolve(config.data.dir), 'veche.db')

export const latestSchemaVersion = (): number => listMigrations().at(-1)?.version ?? 0

/**
 * openReadOnly opens an existing database without creating, migrating or writing it. SQLite still
 * creates the -wal and -shm files of a WAL database for a reader; close() gives them to the data
 * folder's owner.
 */
export function openReadOnly(file: string): Db {
  const db = new Database(file, { readonly: true, fileMustExist: true })
  const close = db.close.bind(db)
  db.close = () => {
    const result = close()
    giveToDataOwner(dirname(file), [`${file}-wal`, `${file}-shm`])
    return result
  }
  // The running server may hold the write lock for a moment.
  db.pragma('busy_timeout = 5000')
  return db
}

/**
 * readableDatabase returns the database opened read-only when it is at this release's schema, or
 * undefined when there is none yet. Throws SkipCheck otherwise: the database check reports why.
 */
export function readableDatabase(config: Config): Db | undefined {
  const file = databaseFile(config)
  if (!existsSync(file)) return undefined
  let db: Db
  try {
    db = openReadOnly(file)
  } catch {
    throw new SkipCheck('the database cannot be opened (see the database check)')
  }
  let version: number
  try {
    version = schemaVersion(db)
  } catch {
    db.close()
    throw new SkipCheck('the database cannot be read (see the database check)')
  }
  if (version !== latestSchemaVersion()) {
    db.close()
    throw new SkipCheck(`the database is at schema version ${version}, not this release's ${latestSchemaVersion()} (see the database check)`)
  }
  return db
}
