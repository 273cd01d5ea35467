// Consistent online backups of the database (SQLite's backup API; the server keeps running) and the
// config, one folder per backup under <data>/backups.
import Database from 'better-sqlite3'
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Layout } from './layout.ts'

export interface BackupInfo {
  dir: string
  fromVersion: string
  createdAt: number
  reason: string
  databaseBytes: number
}

/** backup writes <backupsDir>/<stamp>-<fromVersion>/{veche.db, veche.yaml, backup.json}; returns it. */
export async function backup(layout: Layout, fromVersion: string, reason: string): Promise<BackupInfo> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const dir = join(layout.backupsDir, `${stamp}-${fromVersion}`)
  const tmp = `${dir}.partial`
  mkdirSync(tmp, { recursive: true, mode: 0o700 })
  let databaseBytes = 0
  if (existsSync(layout.database)) {
    const db = new Database(layout.database, { readonly: true, fileMustExist: true })
    try {
      await db.backup(join(tmp, 'veche.db'))
    } finally {
      db.close()
    }
    databaseBytes = statSync(join(tmp, 'veche.db')).size
  }
  if (layout.configFile && existsSync(layout.configFile)) copyFileSync(layout.configFile, join(tmp, 'veche.yaml'))
  const info: BackupInfo = { dir, fromVersion, createdAt: Date.now(), reason, databaseBytes }
  writeFileSync(join(tmp, 'backup.json'), `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 })
  // Complete or absent: a backup folder without .partial always holds everything.
  renameSync(tmp, dir)
  return info
}

export function listBackups(layout: Layout): BackupInfo[] {
  if (!existsSync(layout.backupsDir)) return []
  return readdirSync(layout.backupsDir)
    .filter((d) => !d.endsWith('.partial') && existsSync(join(layout.backupsDir, d, 'backup.json')))
    .map((d) => JSON.parse(readFileSync(join(layout.backupsDir, d, 'backup.json'), 'utf8')) as BackupInfo)
    .sort((a, b) => b.createdAt - a.createdAt)
}

/** removePartialBackups deletes what an interrupted backup left. */
export function removePartialBackups(layout: Layout): void {
  if (!existsSync(layout.backupsDir)) return
  for (const d of readdirSync(layout.backupsDir)) if (d.endsWith('.partial')) rmSync(join(layout.backupsDir, d), { recursive: true, force: true })
}
