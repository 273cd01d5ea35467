// The database is intact and at this release's schema. Looks read-only; only --fix migrates.
// On PostgreSQL (a database.url) it judges the schema version; the server's own checks see to the rest.
import { existsSync } from 'node:fs'
import { join, dirname } from 'node:path'
import type { Config } from '../../../config/schema.ts'
import { openDatabase } from '../../../server/db/database.ts'
import { migratePostgres, schemaVersion } from '../../../server/db/migrations.ts'
import { openPostgres } from '../../db/postgres.ts'
import type { Check, CheckResult } from '../check.ts'
import { databaseFile, latestSchemaVersion, openReadOnly } from '../database-file.ts'
import { runningServerVersion } from '../running-server.ts'
import { postgresFacts, postgresProbe, type PostgresProbeResult } from './database-postgres.ts'

/** integrity_check reports at most this many problems; the first few say enough. */
const MAX_PROBLEMS_SHOWN = 3

function damaged(file: string, detail: string): CheckResult {
  return {
    status: 'error',
    message:
      `the database ${file} is damaged (${detail}): stop the server and put back a backup from ` +
      `${join(dirname(file), 'backups')} (\`veche update rollback\` restores the one taken before the last update)`,
  }
}

/** inspect returns the integrity problems (empty when intact) and the schema version. */
function inspect(file: string): { problems: string[]; version: number } {
  const db = openReadOnly(file)
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[]
    const problems = rows.map((r) => r.integrity_check).filter((p) => p !== 'ok')
    return { problems, version: schemaVersion(db) }
  } finally {
    db.close()
  }
}

/** postgresSchema judges the schema version of database.url's database; --fix migrates it. */
async function postgresSchema(config: Config, probe: PostgresProbeResult, autofix: boolean): Promise<CheckResult> {
  const { schemaVersion: version, location } = await postgresFacts(probe)
  const latest = latestSchemaVersion()
  if (version > latest) {
    return {
      status: 'error',
      message: `${location}: schema version ${version} was written by a newer release (this one knows ${latest}): install that release (\`veche update apply\`), or restore a backup made before it`,
    }
  }
  if (version < latest) {
    const what = version === 0 ? 'holds no Veche schema yet' : `is at schema version ${version}, older than this release's ${latest}`
    if (!autofix) return { status: 'error', message: `${location} ${what}: \`veche doctor --fix\` migrates it (so does starting the server)` }
    const running = await runningServerVersion(config)
    if (running !== undefined) {
      return { status: 'error', message: `${location} ${what}, and Veche ${running} is running on it: stop the server, then \`veche doctor --fix\`` }
    }
    const db = openPostgres(config.database)
    try {
      await migratePostgres(db)
    } finally {
      await db.destroy()
    }
    return { status: 'ok', message: `${location}: schema version ${latest}`, fixed: `migrated schema version ${version} to ${latest}` }
  }
  return { status: 'ok', message: `${location}: schema version ${version}` }
}

export const databaseCheck: Check = {
  name: 'database',
  title: 'Database',
  async run(ctx, autofix) {
    const config = ctx.config()
    const probe = postgresProbe(ctx)
    if (probe) return await postgresSchema(config, probe, autofix)
    const file = databaseFile(config)
    if (!existsSync(file)) {
      return { status: 'warning', message: `no database at ${file} yet: \`veche serve\` creates it (if this server has data, data.dir names the wrong folder)` }
    }
    let found: { problems: string[]; version: number }
    try {
      found = inspect(file)
    } catch (err) {
      // SQLITE_CORRUPT, SQLITE_NOTADB: the file is not one SQLite can read at all.
      return damaged(file, (err as Error).message)
    }
    if (found.problems.length) {
      const more = found.problems.length > MAX_PROBLEMS_SHOWN ? `; ${found.problems.length - MAX_PROBLEMS_SHOWN} more` : ''
      return damaged(file, `integrity_check: ${found.problems.slice(0, MAX_PROBLEMS_SHOWN).join('; ')}${more}`)
    }
    const latest = latestSchemaVersion()
    const { version } = found
    if (version > latest) {
      return {
        status: 'error',
        message: `schema version ${version} was written by a newer release (this one knows ${latest}): \`veche update rollback\` or install that release`,
      }
    }
    if (version < latest) {
      if (!autofix) {
        return { status: 'error', message: `schema version ${version} is older than this release's ${latest}: \`veche doctor --fix\` migrates it (so does starting the server)` }
      }
      // The server that answers is an older release still using this schema: migrating under it would break it.
      const running = await runningServerVersion(config)
      if (running !== undefined) {
        return { status: 'error', message: `schema version ${version} is older than this release's ${latest}, and Veche ${running} is running on it: stop the server, then \`veche doctor --fix\`` }
      }
      openDatabase(file).close()
      return { status: 'ok', message: `${file}: intact, schema version ${latest}`, fixed: `migrated schema version ${version} to ${latest}` }
    }
    return { status: 'ok', message: `${file}: intact, schema version ${version}` }
  },
}
