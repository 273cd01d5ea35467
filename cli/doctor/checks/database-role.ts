// The role Veche signs in as can create tables where Veche keeps them and nowhere else: a leaked
// database password then reaches Veche's data, not the rest of the server.
import type { Check } from '../check.ts'
import { postgresFacts, postgresProbe } from './database-postgres.ts'

export const databaseRoleCheck: Check = {
  name: 'database-role',
  title: 'Database role',
  async run(ctx) {
    const probe = postgresProbe(ctx)
    if (!probe) return { status: 'ok', message: 'SQLite: no database role' }
    const { role, superuser, ownSchema, createElsewhere } = await postgresFacts(probe)
    if (superuser) {
      return { status: 'warning', message: `role ${role} is a superuser: Veche needs only to own its database; use a role without it (as another superuser: ALTER ROLE ${role} NOSUPERUSER)` }
    }
    if (createElsewhere.length) {
      const names = createElsewhere.join(', ')
      return { status: 'warning', message: `role ${role} can create tables in ${names} besides its own schema ${ownSchema ?? '(none)'}: REVOKE CREATE ON SCHEMA ${names} FROM ${role}` }
    }
    return { status: 'ok', message: `role ${role} is no superuser and creates tables only in schema ${ownSchema ?? '(none)'}` }
  },
}
