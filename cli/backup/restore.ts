// Restores a backup archive: checks it completely first, then, under the update lock and with the
// service stopped, puts the database, config, TLS files and recordings in place and starts the service again.
import Database from 'better-sqlite3'
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { ConfigError, loadConfig } from '../../config/load.ts'
import type { Config } from '../../config/schema.ts'
import { usesPostgres } from '../../server/db/engine.ts'
import { schemaVersion } from '../../server/db/migrations.ts'
import { RESTORE_MARKER } from '../../server/db/restore.ts'
import { CliError } from '../errors.ts'
import { VERSION } from '../../server/version.ts'
import { healthUrl, probe, waitHealthy } from '../update/health.ts'
import { layoutFor } from '../update/layout.ts'
import { acquireLock } from '../update/lock.ts'
import { serviceAction } from '../update/service.ts'
import { refusal } from './compatibility.ts'
import { DATABASE_ENTRY, RECORDINGS_PREFIX } from './manifest.ts'
import { restoreIntoPostgres } from './postgres-import.ts'
import { putInPlace, type PlaceResult } from './put-in-place.ts'
import { extractBackup, peekBackup } from './read.ts'
import { finishedRecordingFiles } from './recordings.ts'

export interface RestoreOptions {
  archive: string
  /** The config file in use (--config or VECHE_CONFIG); it may not exist yet on a new machine. */
  configFile: string | undefined
  env: NodeJS.ProcessEnv
  set: string[]
  /** Stop and start the service around the restore (install.serviceCommand). */
  service: boolean
  /** Keep this machine's config (its paths and ports); restore only the database, TLS files and recordings. */
  keepConfig?: boolean
  say: (line: string) => void
}

const stampOf = (now: Date): string => now.toISOString().slice(0, 19).replace(/[-:]/g, '') + 'Z'

/** configFromText loads a config the way `serve` would, from text not yet written anywhere. */
function configFromText(text: string, options: RestoreOptions): Config {
  const dir = mkdtempSync(join(tmpdir(), 'veche-restore-config-'))
  const file = join(dir, 'veche.yaml')
  try {
    writeFileSync(file, text, { mode: 0o600 })
    return loadConfig({ file, env: options.env, set: options.set })
  } catch (err) {
    if (err instanceof ConfigError) {
      throw new CliError(`the backup's config file does not load in this release (${err.message.replace(` (in ${file})`, '')}): restore with the release that wrote the backup, or fix the key after restoring with --set`)
    }
    throw err
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * checkDatabase: the unpacked database opens, passes SQLite's quick check, and is not from a newer
 * schema. Returns the video files of the finished recordings it lists.
 */
async function checkDatabase(file: string, version: string): Promise<string[]> {
  let db: Database.Database
  try {
    db = new Database(file, { readonly: true, fileMustExist: true })
  } catch (err) {
    throw new CliError(`the backup's database cannot be opened (${(err as Error).message}): use another copy of the backup`)
  }
  try {
    const check = db.pragma('quick_check', { simple: true })
    if (check !== 'ok') throw new CliError(`the backup's database is damaged (SQLite: ${String(check)}): use another copy of the backup`)
    const why = refusal(version, schemaVersion(db))
    if (why) throw new CliError(why)
    return await finishedRecordingFiles(db)
  } finally {
    db.close()
  }
}

/**
 * awaitHealthy waits for the restarted server to answer its health check, so "restored" means the
 * workspace is back, not only that files were copied; throws CliError naming where to look.
 */
async function awaitHealthy(config: Config, kept: string[], say: (line: string) => void): Promise<void> {
  if (config.server.port === 0) return // a port chosen at start cannot be asked
  const url = healthUrl(config)
  say(`waiting for the server at ${url} (up to ${config.install.healthTimeoutSeconds} s)`)
  if (await waitHealthy(config, VERSION)) {
    say(`the server answers: Veche ${VERSION} is serving the restored workspace`)
    return
  }
  throw new CliError(
    `the backup is restored and the service was started, but the server did not answer at ${url} within ` +
      `${config.install.healthTimeoutSeconds} s (install.healthTimeoutSeconds): read its log (journalctl -u veche -n 50) ` +
      `and run \`veche doctor\`${kept.length > 0 ? `; what the restore replaced is kept: ${kept.join(', ')}` : ''}`,
  )
}

/** restoreBackup carries out `veche restore`; throws CliError naming the fix, having changed nothing unless it says so. */
export async function restoreBackup(options: RestoreOptions, now = new Date()): Promise<void> {
  const { say } = options
  const archive = resolve(options.archive)
  const peeked = await peekBackup(archive)
  const { manifest } = peeked
  const configText = options.keepConfig ? undefined : peeked.configText
  const why = refusal(manifest.version, manifest.schemaVersion, manifest.format)
  if (why) throw new CliError(why)
  say(`backup of ${manifest.hostname}, ${manifest.createdAt}, Veche ${manifest.version}, database schema ${manifest.schemaVersion}`)

  // The server will run with the restored config, so that config decides where the data goes.
  const configFile = options.configFile ? resolve(options.configFile) : undefined
  const inUse = configFile && existsSync(configFile) ? loadConfig({ file: configFile, env: options.env, set: options.set }) : undefined
  let config: Config
  if (configText !== undefined && configFile) config = configFromText(configText, options)
  else {
    config = inUse ?? loadConfig({ env: options.env, set: options.set })
    if (configText !== undefined) say('note: the backup holds a config file, but this command runs without one: pass --config <file> (or set VECHE_CONFIG) to restore it there')
  }
  const layout = layoutFor(config, configFile)
  if (inUse && resolve(inUse.data.dir) !== layout.dataDir) say(`note: the restored config moves data.dir from ${resolve(inUse.data.dir)} to ${layout.dataDir}`)
  const running = inUse ?? config
  say(`restoring into ${layout.dataDir}${configText !== undefined && configFile ? ` and ${configFile}` : ''}`)

  mkdirSync(layout.dataDir, { recursive: true, mode: 0o750 })
  let unlock: () => void
  try {
    unlock = acquireLock(layout.lockFile)
  } catch (err) {
    throw err instanceof CliError ? new CliError(`cannot restore now: ${err.message}`) : err
  }
  const staging = mkdtempSync(join(layout.dataDir, '.restore-'))
  try {
    await extractBackup(archive, manifest, staging)
    const recordingFiles = await checkDatabase(join(staging, DATABASE_ENTRY), manifest.version)
    say(`checked ${manifest.files.length} files against backup.json`)

    const command = running.install.serviceCommand
    if (options.service) {
      serviceAction(command, 'stop')
      say(`stopped the service (${command.replaceAll('{action}', 'stop')})`)
    }
    // Replacing the database under a live server would corrupt it: make sure nothing answers.
    if (running.server.port !== 0 && (await probe(healthUrl(running)))) {
      if (options.service) serviceAction(command, 'start')
      throw new CliError(
        `a Veche server still answers at ${healthUrl(running)}: stop it (install.serviceCommand ${options.service ? 'did not' : 'was not run: --no-service'}), then run the restore again; nothing was changed`,
      )
    }

    // When root restores for the service's user, what lands in the data folder must stay that user's.
    // On PostgreSQL the database goes there first (one checked transaction); the SQLite file is
    // still put in the data folder below, a copy to fall back on.
    if (usesPostgres(config.database)) {
      try {
        await restoreIntoPostgres(config.database, join(staging, DATABASE_ENTRY), join(layout.dataDir, `veche-postgres.before-restore-${stampOf(now)}.db`), say)
      } catch (err) {
        if (options.service) serviceAction(command, 'start')
        throw err
      }
    }

    const dataOwner = statSync(layout.dataDir)
    const owner = process.getuid?.() === 0 && dataOwner.uid !== 0 ? { uid: dataOwner.uid, gid: dataOwner.gid } : undefined
    const modes = new Map(manifest.files.map((f) => [f.path, f.mode]))
    let placed: PlaceResult
    try {
      placed = putInPlace(staging, { dataDir: layout.dataDir, configFile: configText !== undefined ? configFile : undefined, owner }, modes, stampOf(now))
    } catch (err) {
      if (options.service) serviceAction(command, 'start')
      throw new CliError(`restore failed (${(err as Error).message}); the previous files are back in place${options.service ? ' and the service was started again' : ''}`)
    }
    // An update's rollback may have left a restore request: it would replace the restored database at start.
    if (existsSync(join(layout.dataDir, RESTORE_MARKER))) {
      rmSync(join(layout.dataDir, RESTORE_MARKER))
      say(`removed a pending update rollback restore (${RESTORE_MARKER}): the restored database wins`)
    }
    for (const p of placed.placed) say(`restored ${p}`)
    const recordingsDir = join(layout.dataDir, 'recordings')
    const { recordings } = placed
    if (recordings.placed.length + recordings.unchanged > 0) {
      say(`restored ${recordings.placed.length} recording file${recordings.placed.length === 1 ? '' : 's'} into ${recordingsDir}${recordings.unchanged > 0 ? ` (${recordings.unchanged} more were already there, unchanged)` : ''}`)
    }
    for (const k of placed.kept) say(`kept the replaced ${k}`)
    const missing = recordingFiles.filter((f) => !existsSync(join(recordingsDir, f))).length
    if (missing > 0) {
      const archived = manifest.files.some((f) => f.path.startsWith(RECORDINGS_PREFIX))
      say(
        `note: ${missing} recording${missing === 1 ? '' : 's'} in the restored database ${missing === 1 ? 'has' : 'have'} no file in ${recordingsDir}` +
          (archived ? '' : ': this backup was made without --with-recordings; copy them from the old data folder (its recordings/), or restore a backup made with `veche backup --with-recordings`'),
      )
    }

    if (options.service) {
      try {
        serviceAction(command, 'start')
      } catch (err) {
        throw new CliError(`the backup is restored, but the service did not start: ${(err as Error).message}`)
      }
      say(`started the service (${command.replaceAll('{action}', 'start')})`)
      await awaitHealthy(config, placed.kept, say)
    } else say('the service was not touched (--no-service): start the server yourself')
  } finally {
    rmSync(staging, { recursive: true, force: true })
    unlock()
  }
}
