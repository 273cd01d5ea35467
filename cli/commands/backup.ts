import type { Command } from 'commander'
import { createBackup } from '../backup/create.ts'
import { configFrom, withConfigOptions, type ConfigFlags } from '../config-options.ts'
import { layoutFor } from '../update/layout.ts'

const size = (bytes: number): string => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`)

export function registerBackup(program: Command): void {
  withConfigOptions(
    program
      .command('backup')
      .description('write one archive with the database (online, the server may run), the config file and the TLS folder'),
  )
    .option('--out <file>', 'archive to write (never overwritten), or a folder for the default name (default: <data>/backups/veche-backup-<time>.tar.gz)')
    .action(async (flags: ConfigFlags & { out?: string }) => {
      const config = configFrom(flags)
      const layout = layoutFor(config, flags.config ?? process.env.VECHE_CONFIG)
      const r = await createBackup(layout, flags.out)
      const tls = r.manifest.files.filter((f) => f.path.startsWith('tls/')).length
      const db = r.manifest.files.find((f) => f.path === 'veche.db')!
      const lines = [
        `wrote ${r.file} (${size(r.bytes)}, mode 0600)`,
        `  database: schema ${r.manifest.schemaVersion}, ${size(db.size)}`,
        `  config:   ${r.manifest.source.configFile ?? '(none: running on defaults)'}`,
        `  TLS:      ${tls} files from ${layout.dataDir}/tls`,
      ]
      if (r.skipped.length) lines.push(`  not included from the TLS folder: ${r.skipped.join(', ')}`)
      if (config.tls.certFile || config.tls.keyFile) {
        lines.push(`  note: tls.certFile/tls.keyFile (${[config.tls.certFile, config.tls.keyFile].filter(Boolean).join(', ')}) are not in the backup: keep a copy of them yourself`)
      }
      lines.push('  recordings are not included. Keep a copy of the archive off this machine: it holds keys and password hashes.')
      process.stdout.write(`${lines.join('\n')}\n`)
    })
}
