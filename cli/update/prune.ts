// Keeps the newest releases and backups, never the running release or the one rollback returns to.
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { listBackups } from './backup.ts'
import type { Layout } from './layout.ts'
import { compareVersions } from './semver.ts'

export function listReleases(layout: Layout): string[] {
  if (!existsSync(layout.releasesDir)) return []
  return readdirSync(layout.releasesDir)
    .filter((d) => /^\d+\.\d+\.\d+$/.test(d))
    .sort((a, b) => compareVersions(b, a))
}

/** prune removes releases and backups beyond `keep`; returns what it removed. */
export function prune(layout: Layout, keep: number, protectedVersions: string[]): string[] {
  const removed: string[] = []
  for (const version of listReleases(layout).slice(keep)) {
    if (protectedVersions.includes(version)) continue
    rmSync(join(layout.releasesDir, version), { recursive: true, force: true })
    removed.push(`release ${version}`)
  }
  for (const old of listBackups(layout).slice(keep)) {
    rmSync(old.dir, { recursive: true, force: true })
    removed.push(`backup ${old.dir}`)
  }
  for (const d of existsSync(layout.releasesDir) ? readdirSync(layout.releasesDir) : []) {
    if (d.endsWith('.partial')) rmSync(join(layout.releasesDir, d), { recursive: true, force: true })
  }
  return removed
}
