import type { Command } from 'commander'
import { createBackup, type BackupResult } from '../backup/create.ts'
import { configFrom, withConfigOptions, type ConfigFlags } from '../config-options.ts'
import { layoutFor } from '../update/layout.ts'

const size = (bytes: number): string => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`)

const recordingsOf = (n: number): string => `${n} recording${n === 1 ? '' : 's'}`

/** recordingLines: what became of the recordings, and how to include those left out. */
function recordingLines(r: BackupResult['recordings'], dir: string): string[] {
  const lines: string[] = []
  if (r.included) {
    lines.push(`  recordings: ${recordingsOf(r.recordings)}, ${r.files.length} files (${size(r.bytes)}) from ${dir}`)
    if (r.inProgress > 0) {
      lines.push(`  left out ${recordingsOf(r.inProgress)} still being recorded: back up again once ${r.inProgress === 1 ? 'it ends' : 'they end'} (a restore of this archive lists ${r.inProgress === 1 ? 'it' : 'them'} as failed)`)
    }
  } else if (r.recordings > 0) {
    lines.push(`  recordings: left out ${recordingsOf(r.recordings)} (${size(r.bytes)}): add --with-recordings to include them`)
  }
  if (r.included && r.skipped.length > 0) {
    const shown = r.skipped.slice(0, 5).map((s) => `${s.name} (${s.why})`)
    lines.push(`  not included from the recordings folder: ${shown.join(', ')}${r.skipped.length > 5 ? ` and ${r.skipped.length - 5} more` : ''}`)
  }
  return lines
}

export function registerBackup(program: Command): void {
  withConfigOptions(
    program
      .command('backup')
      .description('write one archive with the database (online, the server may run), the config file, the TLS folder and, when asked, the recordings'),
  )
    .option('--out <file>', 'archive to write (never overwritten), or a folder for the default name (default: <data>/backups/veche-backup-<time>.tar.gz)')
    .option('--with-recordings', 'also archive the files of finished meeting recordings (<data>/recordings; may be gigabytes)')
    .addHelpText(
      'after',
      '\nRecordings still being recorded are left out (back up again once they end). The output folder must\n' +
        'hold about the database plus the recordings; a backup that clearly does not fit is refused.',
    )
    .action(async (flags: ConfigFlags & { out?: string; withRecordings?: boolean }) => {
      const config = configFrom(flags)
      const layout = layoutFor(config, flags.config ?? process.env.VECHE_CONFIG)
      const r = await createBackup(layout, { out: flags.out, withRecordings: Boolean(flags.withRecordings), database: config.database })
      const tls = r.manifest.files.filter((f) => f.path.startsWith('tls/')).length
      const db = r.manifest.files.find((f) => f.path === 'veche.db')!
      const lines = [
        `wrote ${r.file} (${size(r.bytes)}, mode 0600)`,
        `  database: schema ${r.manifest.schemaVersion}, ${size(db.size)}${r.tables ? `, exported from ${r.manifest.source.database}: ${r.tables.length} tables, row counts and checksums match` : ''}`,
        `  config:   ${r.manifest.source.configFile ?? '(none: running on defaults)'}`,
        `  TLS:      ${tls} files from ${layout.dataDir}/tls`,
      ]
      if (r.skipped.length) lines.push(`  not included from the TLS folder: ${r.skipped.join(', ')}`)
      if (config.tls.certFile || config.tls.keyFile) {
        lines.push(`  note: tls.certFile/tls.keyFile (${[config.tls.certFile, config.tls.keyFile].filter(Boolean).join(', ')}) are not in the backup: keep a copy of them yourself`)
      }
      lines.push(...recordingLines(r.recordings, `${layout.dataDir}/recordings`))
      lines.push('  Keep a copy of the archive off this machine: it holds keys and password hashes.')
      process.stdout.write(`${lines.join('\n')}\n`)
    })
}
