// Sign-in through the corporate directory (LDAP): the licence check, the directory's answer, and the
// refusals' wording; the Veche account behind it is external-account.ts's.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { Role, User } from '../db/users-repository.ts'
import { refuseFeature } from '../license/policy.ts'
import { externalAccount } from './external-account.ts'
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

async function accountFor(app: FastifyInstance, found: Permitted, log: FastifyBaseLogger): Promise<DirectorySignIn> {
  const deps = { users: app.usersRepository, audit: app.auditRepository, license: app.license.state, log }
  // Accounts made before entry UUIDs were read are keyed by DN; they move to the UUID at this sign-in.
  const result = await externalAccount(deps, 'ldap', found.id, found, [found.dn])
  if ('user' in result) return result
  const { refused } = result
  log.info({ dn: found.dn, why: refused.reason }, 'LDAP sign-in refused')
  switch (refused.kind) {
    case 'blocked':
      return refuse(403, 'blocked', 'your account is blocked; ask an administrator')
    case 'no_email':
      return refuse(403, 'directory_no_email', 'your directory entry has no e-mail address; ask an administrator to add one')
    case 'email_taken': {
      const fix = 'an administrator must delete or rename it before you can sign in with the company directory'
      return refused.takenBy === 'local'
        ? refuse(409, 'email_taken_local', `a local account already uses ${refused.email}: ${fix}`)
        : refuse(409, 'email_taken', `another account (${refused.takenBy}) already uses ${refused.email}: ${fix}`)
    }
    case 'license':
      return refuse(403, refused.code, refused.reason)
  }
}
