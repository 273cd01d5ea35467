// Sign-in through the corporate directory (LDAP): the licence check, the directory's answer, and the
// Veche account behind it, found by the entry's DN, created at first sign-in and refreshed (e-mail,
// name, role) at every one. Local accounts are never linked to directory entries silently.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { SYSTEM_ACTOR } from '../db/audit-repository.ts'
import { EmailTakenError, type Role, type User } from '../db/users-repository.ts'
import { refuseFeature, refuseNewUser } from '../license/policy.ts'
import { DirectoryError } from './ldap/errors.ts'
import type { Directory, DirectoryUser } from './ldap/directory.ts'

export interface SignInRefusal {
  status: number
  code: string
  message: string
}

export type DirectorySignIn = { user: User } | { refused: SignInRefusal }

/** A directory user ldap.requiredGroups lets in. */
type Permitted = DirectoryUser & { role: Role }

const refuse = (status: number, code: string, message: string): { refused: SignInRefusal } => ({ refused: { status, code, message } })

/** The answer to a wrong login or password: word for word the local one, so neither says which it was. */
export const WRONG_CREDENTIALS = refuse(401, 'invalid_credentials', 'wrong e-mail or password')

/**
 * signInWithDirectory checks `login` and `password` with `directory` and returns the user to start a
 * session for, or the refusal to send. Throws only what is not the directory's fault (database errors).
 */
export async function signInWithDirectory(
  app: FastifyInstance,
  directory: Directory,
  login: string,
  password: string,
  log: FastifyBaseLogger,
): Promise<DirectorySignIn> {
  const unlicensed = refuseFeature(app.license.state, 'sso')
  if (unlicensed) {
    log.warn({ code: unlicensed.code }, `LDAP sign-in refused: ${unlicensed.message}`)
    return refuse(403, unlicensed.code, `sign-in with the company directory: ${unlicensed.message}`)
  }
  let found: DirectoryUser | null
  try {
    found = await directory.authenticate(login, password)
  } catch (err) {
    if (!(err instanceof DirectoryError)) throw err
    log.error({ problem: err.problem, url: directory.url }, `LDAP sign-in failed: ${err.message}`)
    return refuse(
      503,
      'directory_unavailable',
      'the company directory (LDAP) cannot check passwords right now; try again in a few minutes, or ask an administrator (the server log names the cause)',
    )
  }
  if (!found) {
    log.info({ login }, 'LDAP sign-in refused: unknown login or wrong password')
    return WRONG_CREDENTIALS
  }
  if (found.role === null) {
    log.info({ dn: found.dn }, 'LDAP sign-in refused: not in ldap.requiredGroups')
    return refuse(403, 'not_permitted', 'your directory account is not in a group allowed to use Veche; ask an administrator')
  }
  return accountFor(app, { ...found, role: found.role }, log)
}

function accountFor(app: FastifyInstance, found: Permitted, log: FastifyBaseLogger): DirectorySignIn {
  const users = app.usersRepository
  const existing = users.findExternal('ldap', found.dn)
  if (existing) {
    if (existing.blockedAt !== null) {
      log.info({ user: existing.id }, 'LDAP sign-in refused: the user is blocked')
      return refuse(403, 'blocked', 'your account is blocked; ask an administrator')
    }
    refresh(app, existing, found, log)
    return { user: users.get(existing.id)! }
  }

  if (!found.email) {
    return refuse(403, 'directory_no_email', 'your directory entry has no e-mail address; ask an administrator to add one')
  }
  const holder = users.findForSignIn(found.email)
  if (holder) {
    const source = holder.user.authSource
    log.warn({ dn: found.dn, email: found.email, holder: holder.user.id, source }, 'LDAP sign-in refused: the e-mail belongs to another account')
    const fix = 'an administrator must delete or rename it before you can sign in with the company directory'
    return source === 'local'
      ? refuse(409, 'email_taken_local', `a local account already uses ${found.email}: ${fix}`)
      : refuse(409, 'email_taken', `another account (${source}) already uses ${found.email}: ${fix}`)
  }
  const limit = refuseNewUser(app.license.state, users.count())
  if (limit) return refuse(403, limit.code, limit.message)
  let user: User
  try {
    user = users.createExternal({ source: 'ldap', externalId: found.dn, email: found.email, displayName: found.displayName, role: found.role })
  } catch (err) {
    // Another sign-in took the e-mail between the check and the insert.
    if (err instanceof EmailTakenError) return refuse(409, 'email_taken', `${err.message}: an administrator must delete or rename it`)
    throw err
  }
  app.auditRepository.record(SYSTEM_ACTOR, 'user.created', { id: user.id, name: user.displayName }, { source: 'ldap', role: user.role })
  log.info({ user: user.id, role: user.role, dn: found.dn }, 'LDAP user created at first sign-in')
  return { user }
}

/** refresh brings e-mail, name and role in line with the directory; the last owner is never demoted. */
function refresh(app: FastifyInstance, user: User, found: Permitted, log: FastifyBaseLogger): void {
  const users = app.usersRepository
  let email = user.email
  if (found.email && found.email.toLowerCase() !== user.email.toLowerCase()) {
    const holder = users.findForSignIn(found.email)
    if (holder && holder.user.id !== user.id) {
      log.warn({ user: user.id, email: found.email, holder: holder.user.id }, 'LDAP e-mail changed to one another account has; keeping the old one')
    } else {
      email = found.email
    }
  } else if (found.email) {
    email = found.email // the same address, perhaps in new letter case
  }
  if (email !== user.email || found.displayName !== user.displayName) {
    try {
      users.setProfile(user.id, email, found.displayName)
    } catch (err) {
      // A concurrent sign-in took the e-mail between the check and the update: keep the old profile.
      if ((err as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw err
      log.warn({ user: user.id, err: (err as Error).message }, 'LDAP profile not refreshed')
    }
  }
  const role = found.role
  if (role === user.role) return
  if (user.role === 'owner' && users.countOwners() <= 1) {
    log.warn({ user: user.id, mapped: role }, 'LDAP groups would demote the last owner; the user stays owner')
    return
  }
  users.setRole(user.id, role)
  app.auditRepository.record(SYSTEM_ACTOR, 'user.role_changed', { id: user.id, name: found.displayName }, { source: 'ldap', from: user.role, to: role })
  log.info({ user: user.id, from: user.role, to: role }, 'LDAP role refreshed')
}
