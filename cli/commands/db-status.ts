import type { Command } from 'commander'
import { configFrom, withConfigOptions, type ConfigFlags } from '../config-options.ts'
import { databaseStatus, formatStatus } from '../db/status.ts'

export function registerDbStatus(db: Command): void {
  withConfigOptions(db.command('status').description('engine, database, schema version, size and row counts of the database this configuration uses'))
    .option('--json', 'print the status as JSON')
    .action(async (flags: ConfigFlags & { json?: boolean }) => {
      const status = await databaseStatus(configFrom(flags))
      process.stdout.write(flags.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status))
    })
}
