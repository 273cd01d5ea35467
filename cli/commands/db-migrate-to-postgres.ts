import type { Command } from 'commander'
import { configFrom, withConfigOptions, type ConfigFlags } from '../config-options.ts'
import { migrateToPostgres } from '../db/migrate-to-postgres.ts'

export function registerDbMigrateToPostgres(db: Command): void {
  withConfigOptions(
    db
      .command('migrate-to-postgres')
      .argument('<url>', 'the empty target database, postgres://<role>@<host>:<port>/<database> (no password in it)')
      .description('move this installation’s data from the SQLite file in the data folder into an empty PostgreSQL database, then set database.url'),
  )
    .addHelpText(
      'after',
      '\nStop the server first. The role’s password comes from VECHE_DATABASE_PASSWORD or database.passwordFile.\n' +
        'The copy is one transaction, checked table by table (row counts and checksums); database.url is written\n' +
        'into the config file only when everything matched. Interrupted or failed, run it again: it starts over.',
    )
    .action(async (url: string, flags: ConfigFlags) => {
      const say = (line: string): void => void process.stdout.write(`${line}\n`)
      await migrateToPostgres({ url, config: configFrom(flags), configFile: flags.config ?? process.env.VECHE_CONFIG, say })
    })
}
