// `veche db migrate-to-postgres <url>`: moves a single-box installation's data from the SQLite file in
// the data folder into an empty PostgreSQL database, checks the copy, and only then points
// database.url at it. Order matters: every refusal comes before anything is written; the copy is one
// target transaction (killed halfway, the target is as empty as before); the config file is last.
import { accessSync, constants } from 'node:fs'
import { dirname } from 'node:path'
import { sql } from 'kysely'
import type { Config } from '../../config/schema.ts'
import { MigrationError, migratePostgres, postgresSchemaVersion } from '../../server/db/migrations.ts'
import { latestSchemaVersion } from '../doctor/database-file.ts'
import { runningServerVersion } from '../doctor/running-server.ts'
import { CliError } from '../errors.ts'
import { healthUrl } from '../update/health.ts'
import { layoutFor } from '../update/layout.ts'
import { acquireLock } from '../update/lock.ts'
import { writeDatabaseUrl } from './config-file.ts'
import { copyAll, type CopyResult, type Progress } from './copy.ts'
import { connect, openPostgres, where } from './postgres.ts'
import { openSnapshot } from './sqlite-source.ts'
import { notEmptyMessage, targetContents } from './target.ts'

/** The oldest PostgreSQL Veche supports (the ICU collation of migration 0001 needs 15's features). */
export const MIN_POSTGRES = 15

export interface MigrateOptions {
  url: string
  config: Config
  /** The config file the server runs with; database.url is written there. */
  configFile: string | undefined
  say: Progress
}

/** checkUrl throws CliError for a URL that is not postgres:// or that carries a password. */
function checkUrl(url: string): void {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new CliError(`'${url}' is not a URL: give postgres://<role>@<host>:<port>/<database>`)
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') throw new CliError(`'${u.protocol}' is not PostgreSQL: give postgres://<role>@<host>:<port>/<database>`)
  if (u.password) {
    throw new CliError(
      'the URL holds a password, which would be written into the config file: give the URL without it and the password in VECHE_DATABASE_PASSWORD or the file database.passwordFile names',
    )
  }
}

function checkConfigFile(file: string | undefined): string {
  if (!file) {
    throw new CliError('this command writes database.url into the config file the server runs with: name it with --config <file> (or VECHE_CONFIG)')
  }
  try {
    accessSync(file, constants.R_OK | constants.W_OK)
    accessSync(dirname(file), constants.W_OK)
  } catch (err) {
    throw new CliError(`cannot write the config file ${file} (${(err as NodeJS.ErrnoException).code}): run this as the user who owns it (or root)`)
  }
  return file
}

/**
 * migrateToPostgres runs the whole move and returns what was copied. Throws CliError naming the fix
 * for every refusal and failure; when it throws, database.url was not written.
 */
export async function migrateToPostgres(options: MigrateOptions): Promise<CopyResult> {
  const { url, config, say } = options
  checkUrl(url)
  const configFile = checkConfigFile(options.configFile)
  if (config.database.url !== '') {
    throw new CliError(`database.url is already set in this configuration (${where(config.database.url)}): this installation does not run on SQLite`)
  }
  const running = await runningServerVersion(config)
  if (running !== undefined) {
    throw new CliError(`Veche ${running} answers at ${healthUrl(config)} and would go on writing to SQLite: stop it (${config.install.serviceCommand.replaceAll('{action}', 'stop')}), then run this again; nothing was changed`)
  }
  const layout = layoutFor(config, configFile)
  let unlock: () => void
  try {
    unlock = acquireLock(layout.lockFile)
  } catch (err) {
    throw err instanceof CliError ? new CliError(`cannot migrate now: ${err.message}`) : err
  }
  const target = where(url)
  const db = openPostgres({ url, password: config.database.password, passwordFile: config.database.passwordFile })
  let source: ReturnType<typeof openSnapshot> | undefined
  try {
    source = openSnapshot(layout.database)
    await connect(db, url, 'the URL given')
    const { rows } = await sql<{ server_version_num: string; server_version: string }>`SELECT current_setting('server_version_num') AS server_version_num, current_setting('server_version') AS server_version`.execute(db)
    const version = Number(rows[0]!.server_version_num)
    if (version < MIN_POSTGRES * 10000) throw new CliError(`PostgreSQL ${rows[0]!.server_version} at ${target} is too old: Veche needs ${MIN_POSTGRES} or later`)

    const latest = latestSchemaVersion()
    const targetVersion = await postgresSchemaVersion(db)
    if (targetVersion > latest) {
      throw new CliError(`the target database ${target} is at schema version ${targetVersion}, written by a newer Veche release (this one knows ${latest}): install that release, or give an empty database; nothing was changed`)
    }
    const why = notEmptyMessage(await targetContents(db), target)
    if (why) throw new CliError(why)

    say(`moving ${source.file} (schema version ${source.version}) to PostgreSQL ${rows[0]!.server_version} at ${target}`)
    try {
      const applied = await migratePostgres(db)
      say(`target schema: ${applied ? `created (version ${latest})` : `already at version ${latest}`}`)
    } catch (err) {
      if (err instanceof MigrationError) throw new CliError(err.message)
      throw new CliError(`creating Veche's tables in ${target} failed: ${(err as Error).message}: the role needs CREATE on its schema (make it the database's owner: ALTER DATABASE <name> OWNER TO <role>)`)
    }
    const result = await copyAll(db, source, target, say)

    writeDatabaseUrl(configFile, url)
    say(`database.url written to ${configFile}: ${url}`)
    say(`restart the server to run on PostgreSQL: ${config.install.serviceCommand.replaceAll('{action}', 'restart')}`)
    say(`${source.file} is left as it was and no longer used; keep it until you are satisfied`)
    return result
  } finally {
    source?.close()
    await db.destroy()
    unlock()
  }
}
