// Opens Veche's SQLite database with the pragmas the appliance relies on, and migrates it.
import Database from 'better-sqlite3'
import { chownSync, existsSync, mkdirSync, statSync } from 'node:fs'
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
  keepOwner(db, file)
  return db
}

/**
 * keepOwner: when root (a sysadmin's CLI command) opens the database of a service that runs as its own
 * user, the files SQLite creates (-wal, -shm) would belong to root and lock the service out. After
 * close, give every database file to the owner of the data folder.
 */
function keepOwner(db: Db, file: string): void {
  if (process.getuid?.() !== 0) return
  const { uid, gid } = statSync(dirname(file))
  if (uid === 0) return
  const close = db.close.bind(db)
  db.close = () => {
    const result = close()
    for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chownSync(f, uid, gid)
    return result
  }
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chownSync(f, uid, gid)
}
