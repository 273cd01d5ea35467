// Opens Veche's SQLite database with the pragmas the appliance relies on, and migrates it.
import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { migrate } from './migrations.ts'

export type Db = Database.Database

/**
 * openDatabase opens (creating if needed) the database file and applies pending migrations.
 * Throws MigrationError when the file belongs to a newer release.
 */
export function openDatabase(file: string): Db {
  mkdirSync(dirname(file), { recursive: true, mode: 0o750 })
  const db = new Database(file)
  // WAL: readers never block the writer, and a crash loses at most the last transaction.
  db.pragma('journal_mode = WAL')
  // NORMAL is durable enough under WAL (a power cut may lose the last commit, never corrupt).
  db.pragma('synchronous = NORMAL')
  // A CLI command (backup, doctor) may hold the write lock briefly while the server runs.
  db.pragma('busy_timeout = 5000')
  // Deleting a user must take their sessions and rooms with them.
  db.pragma('foreign_keys = ON')
  migrate(db)
  return db
}
