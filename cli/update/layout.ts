// Where an installation keeps its parts: releases side by side under the install folder, the
// `current` symlink naming the one that runs, and backups and update state in the data folder.
import { existsSync, readFileSync, readlinkSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import type { Config } from '../../config/schema.ts'

export interface Layout {
  installDir: string
  releasesDir: string
  /** The symlink whose target is the running release. */
  current: string
  dataDir: string
  database: string
  backupsDir: string
  lockFile: string
  /** The config file in use, backed up with the database; undefined when running on defaults. */
  configFile: string | undefined
}

export function layoutFor(config: Config, configFile: string | undefined): Layout {
  const installDir = resolve(config.install.dir)
  const dataDir = resolve(config.data.dir)
  return {
    installDir,
    releasesDir: join(installDir, 'releases'),
    current: join(installDir, 'current'),
    dataDir,
    database: join(dataDir, 'veche.db'),
    backupsDir: join(dataDir, 'backups'),
    lockFile: join(dataDir, 'update.lock'),
    configFile: configFile ? resolve(configFile) : undefined,
  }
}

/** currentRelease returns the version the `current` symlink points at, or undefined if none. */
export function currentRelease(layout: Layout): string | undefined {
  if (!existsSync(layout.current)) return undefined
  return basename(readlinkSync(layout.current))
}

/** releaseVersion reads a release folder's own version (its release.json, else package.json). */
export function releaseVersion(dir: string): string | undefined {
  for (const file of ['release.json', 'package.json']) {
    try {
      return (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { version: string }).version
    } catch {
      // try the next
    }
  }
  return undefined
}
