// The database this configuration names can be reached and signed in to.
import type { Check } from '../check.ts'
import { databaseFile } from '../database-file.ts'
import { postgresProbe } from './database-postgres.ts'

export const databaseConnectionCheck: Check = {
  name: 'database-connection',
  title: 'Database connection',
  async run(ctx) {
    const probe = postgresProbe(ctx)
    if (!probe) return { status: 'ok', message: `SQLite: the file ${databaseFile(ctx.config())} (database.url is empty)` }
    const { facts, problem } = await probe
    if (!facts) return { status: 'error', message: problem }
    return { status: 'ok', message: `PostgreSQL: connected to ${facts.location}` }
  },
}
