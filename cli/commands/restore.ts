import type { Command } from 'commander'
import { restoreBackup } from '../backup/restore.ts'
import { withConfigOptions, type ConfigFlags } from '../config-options.ts'

export function registerRestore(program: Command): void {
  withConfigOptions(
    program
      .command('restore')
      .description('check a backup archive, stop the service, put its database, config, TLS files and recordings in place, start the service and wait until it answers')
      .argument('<archive>', 'veche-backup-<time>.tar.gz written by `veche backup`'),
  )
    .option('--keep-config', "keep this machine's config (paths, ports); restore only the database, TLS files and recordings")
    .option('--no-service', 'do not stop and start the service (install.serviceCommand): the server is not running')
    .addHelpText(
      'after',
      '\nReplaced files are kept beside the originals as <file>.before-restore-<time>. Recordings in the archive\n' +
        '(`veche backup --with-recordings`) are added to <data>/recordings; recordings already there stay. A backup\n' +
        'from a newer database schema than this release knows is refused: install that release first.',
    )
    .action(async (archive: string, flags: ConfigFlags & { service: boolean; keepConfig?: boolean }) => {
      await restoreBackup({
        archive,
        configFile: flags.config ?? process.env.VECHE_CONFIG,
        env: process.env,
        set: flags.set,
        service: flags.service,
        keepConfig: Boolean(flags.keepConfig),
        say: (line) => void process.stdout.write(`${line}\n`),
      })
    })
}
