// Signs directory users out when the directory stops vouching for them: an employee who leaves is
// removed or disabled in Active Directory, and their Veche session (14 days by default) must not
// outlive that. Run every ldap.recheckMinutes; a directory that does not answer changes nothing.
import type { FastifyBaseLogger } from 'fastify'
import { SYSTEM_ACTOR, type AuditRepository } from '../../db/audit-repository.ts'
import type { SessionsRepository } from '../../db/sessions-repository.ts'
import type { UsersRepository } from '../../db/users-repository.ts'
import { disconnectUser } from '../../sfu/disconnect-user.ts'
import type { RoomRegistry } from '../../sfu/room-registry.ts'
import type { Directory } from './directory.ts'
import { DirectoryError } from './errors.ts'

export interface SessionRecheckDeps {
  directory: Directory
  users: UsersRepository
  sessions: SessionsRepository
  audit: AuditRepository
  registry: RoomRegistry
  log: FastifyBaseLogger
}

export interface SessionRecheckResult {
  checked: number
  signedOut: number
  /** false: the directory did not answer and nobody was touched. */
  answered: boolean
}

/**
 * A directory that finds none of several signed-in users is far more likely misconfigured (a wrong
 * searchBase, a service account that lost its rights) than left by all of them at once: nobody is
 * signed out then.
 */
const ALL_GONE_MINIMUM = 3

/** recheckDirectorySessions asks the directory about every signed-in LDAP user and signs out those it no longer permits. */
export async function recheckDirectorySessions(deps: SessionRecheckDeps, now = Date.now()): Promise<SessionRecheckResult> {
  const signedIn = await deps.users.signedInFrom('ldap', now)
  if (signedIn.length === 0) return { checked: 0, signedOut: 0, answered: true }
  let standings
  try {
    standings = await deps.directory.standings(signedIn.map((u) => u.externalId))
  } catch (err) {
    if (!(err instanceof DirectoryError)) throw err
    deps.log.warn({ problem: err.problem, url: deps.directory.url }, `LDAP session check skipped: ${err.message}`)
    return { checked: 0, signedOut: 0, answered: false }
  }
  const gone = signedIn.filter((u) => standings.get(u.externalId) === 'gone').length
  if (gone === signedIn.length && gone >= ALL_GONE_MINIMUM) {
    deps.log.error(
      { url: deps.directory.url, users: gone },
      'LDAP session check skipped: the directory finds none of the signed-in users; check ldap.searchBase and the service account rights',
    )
    return { checked: signedIn.length, signedOut: 0, answered: false }
  }
  let signedOut = 0
  for (const user of signedIn) {
    const standing = standings.get(user.externalId)
    if (standing === undefined || standing === 'permitted') continue
    const sessions = await deps.sessions.deleteForUser(user.id)
    const connections = disconnectUser(deps.registry, user.id)
    await deps.audit.record(SYSTEM_ACTOR, 'user.signed_out', { id: user.id, name: user.displayName }, { source: 'ldap', reason: standing })
    deps.log.info({ user: user.id, reason: standing, sessions, connections }, 'directory user signed out: the directory no longer permits them')
    signedOut++
  }
  return { checked: signedIn.length, signedOut, answered: true }
}
