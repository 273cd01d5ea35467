// Applies a kit: every check first, then backup, unpack beside the running release, migrations tried
// on a copy, an atomic switch, a restart and a health wait, and an automatic rollback (previous
// release + restored database) when the new version does not become healthy. Killed at any step,
// the appliance is left running the old or the new version with every row it had before.
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { requestRestore } from '../../server/db/restore.ts'
import { failpoint } from '../../server/failpoint.ts'
import { CliError } from '../errors.ts'
import { backup, removePartialBackups } from './backup.ts'
import type { UpdateContext } from './context.ts'
import { waitHealthy } from './health.ts'
import { checkKit, databaseBytes, EXIT } from './kit-check.ts'
import { acquireLock } from './lock.ts'
import { currentRelease } from './layout.ts'
import { prune } from './prune.ts'
import { formatReport } from './report.ts'
import { serviceAction } from './service.ts'
import { readState, writeState, type UpdateState } from './state.ts'
import { switchCurrent } from './switch.ts'
import { unpackRelease } from './unpack.ts'

/** Exit code when the new version failed its health check and the previous one was restored. */
export const EXIT_ROLLED_BACK = 4

const say = (text: string): void => void process.stdout.write(`${text}\n`)

/** migrateCopy runs the new release's migrations on a copy of the backup: a failure stops here, before any switch. */
function migrateCopy(ctx: UpdateContext, releaseDir: string, backupDir: string): void {
  const source = join(backupDir, 'veche.db')
  if (!existsSync(source)) return
  const copy = join(ctx.layout.dataDir, 'update-migration-check.db')
  copyFileSync(source, copy)
  try {
    const r = spawnSync(join(releaseDir, 'bin', 'veche'), ['db', 'migrate', '--file', copy], { encoding: 'utf8' })
    if (r.error) throw new CliError(`the new release's bin/veche does not run (${r.error.message}): the kit is not a working release; contact the vendor`)
    if (r.status !== 0) {
      const output = `${r.stderr ?? ''}${r.stdout ?? ''}`.trim() || (r.signal ? `killed by ${r.signal}` : `exit ${r.status}`)
      throw new CliError(`the new release cannot migrate this database (${output.slice(-2000)}): contact the vendor`)
    }
    say(`migrations: ${(r.stdout ?? '').trim()} (tried on a copy)`)
  } finally {
    for (const f of [copy, `${copy}-wal`, `${copy}-shm`]) rmSync(f, { force: true })
  }
}

/** rollbackTo switches back to `state.from`, asks for the backup database, restarts and waits. */
export async function rollbackTo(ctx: UpdateContext, state: UpdateState, reason: string): Promise<void> {
  const { layout, config } = ctx
  if (!existsSync(join(layout.releasesDir, state.from))) {
    throw new CliError(`release ${state.from} is no longer installed (pruned?): reinstall it from its kit`)
  }
  switchCurrent(layout, state.from)
  requestRestore(layout.dataDir, { database: join(state.backup, 'veche.db'), reason })
  say(`switched back to ${state.from}; its database is restored from ${state.backup} at start`)
  serviceAction(config.install.serviceCommand, 'restart')
  const healthy = await waitHealthy(config, state.from)
  writeState(layout.dataDir, { ...state, phase: 'rolled-back', at: Date.now() })
  if (!healthy) {
    throw new CliError(`rolled back to ${state.from}, but it does not answer its health check either: see the service log (journalctl -u veche)`)
  }
  say(`${state.from} is running again with the database as it was before the update (backup ${state.backup}); changes made since are not in it`)
}

/** confirm restarts into the switched release and waits for it; rolls back on failure. Returns the exit code. */
async function confirm(ctx: UpdateContext, state: UpdateState): Promise<number> {
  const { config, layout } = ctx
  say(`restarting into ${state.to}`)
  serviceAction(config.install.serviceCommand, 'restart')
  let polled = false
  const healthy = await waitHealthy(config, state.to, () => {
    if (!polled) failpoint('update:during-health-wait')
    polled = true
  })
  if (healthy) {
    writeState(layout.dataDir, { ...state, phase: 'healthy', at: Date.now() })
    for (const r of prune(layout, config.install.keepReleases, [state.to, state.from])) say(`pruned ${r}`)
    say(`updated ${state.from} -> ${state.to}; it answers its health check`)
    return EXIT.ok
  }
  say(`${state.to} did not become healthy within ${config.install.healthTimeoutSeconds} s: rolling back to ${state.from}`)
  await rollbackTo(ctx, state, `${state.to} failed its health check`)
  return EXIT_ROLLED_BACK
}

/** applyUpdate installs `kitFile`; returns the process exit code (see EXIT and EXIT_ROLLED_BACK). */
export async function applyUpdate(kitFile: string, ctx: UpdateContext): Promise<number> {
  const { layout, config } = ctx
  const unlock = acquireLock(layout.lockFile)
  try {
    const interrupted = readState(layout.dataDir)
    let resumed: string | undefined
    if (interrupted?.phase === 'switched') {
      if (currentRelease(layout) === interrupted.to) {
        // An earlier apply was killed after switching: finish it before anything else.
        say(`an update to ${interrupted.to} was interrupted after switching; finishing it first`)
        const code = await confirm(ctx, interrupted)
        if (code !== EXIT.ok) return code
        ctx = { ...ctx, installedVersion: interrupted.to }
        resumed = interrupted.to
      } else {
        // Killed just before the switch: the old release never stopped running.
        writeState(layout.dataDir, { ...interrupted, phase: 'abandoned', at: Date.now() })
      }
    }
    removePartialBackups(layout)
    const report = await checkKit(kitFile, {
      keyring: ctx.keyring,
      installedVersion: ctx.installedVersion,
      license: ctx.license,
      writeTargets: [
        { path: layout.installDir, extraBytes: 0 },
        { path: layout.dataDir, extraBytes: databaseBytes(layout.database) * 2 },
      ],
    })
    if (resumed && report.manifest?.version === resumed) {
      say(`${kitFile} is installed and running`)
      return EXIT.ok
    }
    process.stdout.write(formatReport(kitFile, report, ctx.installedVersion))
    if (!report.ok || !report.manifest) return report.exitCode
    const target = report.manifest.version

    const saved = await backup(layout, ctx.installedVersion, `before update to ${target}`)
    say(`backup: ${saved.dir}`)
    failpoint('update:after-backup')
    let releaseDir: string | undefined
    try {
      releaseDir = await unpackRelease(kitFile, report.manifest, report.manifestToken ?? '', layout.releasesDir)
      failpoint('update:after-unpack')
      migrateCopy(ctx, releaseDir, saved.dir)
      failpoint('update:after-migration')
    } catch (err) {
      // Nothing was switched and the database was only read: remove what this apply made.
      if (releaseDir) rmSync(releaseDir, { recursive: true, force: true })
      rmSync(saved.dir, { recursive: true, force: true })
      const why = err instanceof CliError ? err.message : `the update failed (${(err as Error).message})`
      throw new CliError(`${why}; nothing was switched: ${ctx.installedVersion} still runs with its database untouched`)
    }

    const state: UpdateState = { from: ctx.installedVersion, to: target, phase: 'switched', backup: saved.dir, at: Date.now() }
    // State first: if we die between these two lines the next run sees 'switched' and checks health.
    writeState(layout.dataDir, state)
    switchCurrent(layout, target)
    say(`switched ${layout.current} -> releases/${target}`)
    failpoint('update:after-switch')
    return await confirm({ ...ctx, config }, state)
  } finally {
    unlock()
  }
}
