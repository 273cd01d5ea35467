import type { Command } from 'commander'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { withConfigOptions, type ConfigFlags } from '../config-options.ts'
import { CliError } from '../errors.ts'
import { applyUpdate, rollbackTo } from '../update/apply.ts'
import { listBackups } from '../update/backup.ts'
import { updateContext } from '../update/context.ts'
import { checkKit, databaseBytes, EXIT } from '../update/kit-check.ts'
import { currentRelease } from '../update/layout.ts'
import { acquireLock } from '../update/lock.ts'
import { listReleases } from '../update/prune.ts'
import { formatReport } from '../update/report.ts'
import { readState } from '../update/state.ts'

const EXIT_CODES = `
Exit codes: 0 may be installed / done; 1 error (bad arguments, unreadable file);
2 the kit is damaged or not authentic; 3 the kit is authentic but cannot be installed here
(version, upgrade path, disk space, license); 4 (apply) the new version failed its health
check and the previous one was restored.`

const requireKit = (kit: string): void => {
  if (!existsSync(kit)) throw new CliError(`no such kit file: ${kit}`)
}

export function registerUpdate(program: Command): void {
  const update = program.command('update').description('check, apply and roll back distribution-kit updates')

  withConfigOptions(update.command('check').description('say whether a kit may be installed here, changing nothing').argument('<kit>', 'veche-<version>-linux-x64.tar.gz'))
    .option('--json', 'machine-readable output')
    .addHelpText('after', EXIT_CODES)
    .action(async (kit: string, flags: ConfigFlags & { json?: boolean }) => {
      requireKit(kit)
      const ctx = await updateContext(flags)
      const report = await checkKit(kit, {
        keyring: ctx.keyring,
        installedVersion: ctx.installedVersion,
        license: ctx.license,
        writeTargets: [
          { path: ctx.layout.installDir, extraBytes: 0 },
          { path: ctx.layout.dataDir, extraBytes: databaseBytes(ctx.layout.database) * 2 },
        ],
      })
      if (flags.json) {
        const { manifest, manifestToken: _token, ...rest } = report
        const summary = manifest && { version: manifest.version, releaseDate: manifest.releaseDate, minUpgradeFrom: manifest.minUpgradeFrom, schemaVersion: manifest.schemaVersion, files: Object.keys(manifest.files).length }
        process.stdout.write(`${JSON.stringify({ kit, installedVersion: ctx.installedVersion, manifest: summary ?? null, ...rest }, null, 2)}\n`)
      } else process.stdout.write(formatReport(kit, report, ctx.installedVersion))
      process.exitCode = report.exitCode
    })

  withConfigOptions(update.command('apply').description('install a kit: check, back up, unpack, switch, restart, roll back if unhealthy').argument('<kit>', 'the kit file'))
    .addHelpText('after', EXIT_CODES)
    .action(async (kit: string, flags: ConfigFlags) => {
      requireKit(kit)
      process.exitCode = await applyUpdate(kit, await updateContext(flags))
    })

  withConfigOptions(update.command('rollback').description('return to the release before the last update, with its database backup')).action(
    async (flags: ConfigFlags) => {
      const ctx = await updateContext(flags)
      const unlock = acquireLock(ctx.layout.lockFile)
      try {
        const state = readState(ctx.layout.dataDir)
        if (!state || (state.phase !== 'healthy' && state.phase !== 'switched')) {
          throw new CliError('there is no update to roll back (the last one was already rolled back, or none was applied)')
        }
        if (currentRelease(ctx.layout) !== state.to) {
          throw new CliError(`the running release is ${currentRelease(ctx.layout) ?? 'unknown'}, not ${state.to}: nothing to roll back`)
        }
        await rollbackTo(ctx, state, `rollback from ${state.to} on request`)
        process.exitCode = EXIT.ok
      } finally {
        unlock()
      }
    },
  )

  withConfigOptions(update.command('list').description('installed releases, backups and the last update'))
    .option('--json', 'machine-readable output')
    .action(async (flags: ConfigFlags & { json?: boolean }) => {
      const ctx = await updateContext(flags)
      const current = currentRelease(ctx.layout)
      const releases = listReleases(ctx.layout).map((version) => ({ version, current: version === current, dir: join(ctx.layout.releasesDir, version) }))
      const backups = listBackups(ctx.layout)
      const last = readState(ctx.layout.dataDir) ?? null
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ releases, backups, lastUpdate: last }, null, 2)}\n`)
        return
      }
      const lines = ['releases:']
      for (const r of releases) lines.push(`  ${r.current ? '*' : ' '} ${r.version.padEnd(10)} ${r.dir}`)
      if (releases.length === 0) lines.push('    (none under ' + ctx.layout.releasesDir + ')')
      lines.push('backups:')
      for (const b of backups) lines.push(`    ${new Date(b.createdAt).toISOString()}  from ${b.fromVersion.padEnd(8)} ${(b.databaseBytes / 1e6).toFixed(1)} MB  ${b.reason}`)
      if (backups.length === 0) lines.push('    (none)')
      if (last) lines.push(`last update: ${last.from} -> ${last.to}, ${last.phase}, ${new Date(last.at).toISOString()}`)
      process.stdout.write(`${lines.join('\n')}\n`)
    })
}
