import type { Command } from 'commander'
import { stringify } from 'yaml'
import { redactSecrets } from '../../config/redact.ts'
import { configFrom, withConfigOptions, type ConfigFlags } from '../config-options.ts'

export function registerConfigCheck(program: Command): void {
  const config = program.command('config').description('inspect the configuration')
  withConfigOptions(config.command('check').description('validate the configuration; print the effective values'))
    .option('--quiet', 'print nothing when valid')
    .option('--show-secrets', 'print passwords, client secrets and stream keys instead of hiding them')
    .action((flags: ConfigFlags & { quiet?: boolean; showSecrets?: boolean }) => {
      const effective = configFrom(flags)
      if (flags.quiet) return
      process.stdout.write(`config OK${flags.config ? ` (${flags.config})` : ' (built-in defaults)'}\n\n`)
      process.stdout.write(stringify(flags.showSecrets ? effective : redactSecrets(effective)))
    })
}
