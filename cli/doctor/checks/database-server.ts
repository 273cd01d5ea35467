// The PostgreSQL server is a version Veche supports.
import { MIN_POSTGRES } from '../../db/migrate-to-postgres.ts'
import type { Check } from '../check.ts'
import { postgresFacts, postgresProbe } from './database-postgres.ts'

export const databaseServerCheck: Check = {
  name: 'database-server',
  title: 'Database server',
  async run(ctx) {
    const probe = postgresProbe(ctx)
    if (!probe) return { status: 'ok', message: 'SQLite: built in, no database server' }
    const facts = await postgresFacts(probe)
    if (facts.serverVersionNum < MIN_POSTGRES * 10000) {
      return { status: 'error', message: `PostgreSQL ${facts.serverVersion} at ${facts.location} is older than ${MIN_POSTGRES}: upgrade it (Debian: the postgresql package), Veche needs ${MIN_POSTGRES} or later` }
    }
    return { status: 'ok', message: `PostgreSQL ${facts.serverVersion}` }
  },
}
