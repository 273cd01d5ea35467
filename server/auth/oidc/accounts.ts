// Finds or creates the Veche user behind a verified OpenID Connect sign-in, and refreshes what the
// provider says about them (e-mail, name, role) at every sign-in.
import type { FastifyBaseLogger } from 'fastify'
import { SYSTEM_ACTOR, type AuditRepository } from '../../db/audit-repository.ts'
import { EmailTakenError, type User, type UsersRepository } from '../../db/users-repository.ts'
import type { LicenseState } from '../../license/evaluate.ts'
import { refuseNewUser } from '../../license/policy.ts'
import type { DirectoryProfile } from './claims.ts'

export interface AccountDeps {
  users: UsersRepository
  audit: AuditRepository
  license: LicenseState
  log: FastifyBaseLogger
}

/**
 * Why a verified user may still not sign in. sso_email_taken: another account (a password one, or
 * another directory's) has the e-mail, and accounts are never linked silently.
 */
export type AccountRefusalCode = 'sso_blocked' | 'sso_email_taken' | 'sso_no_email' | 'sso_not_allowed' | 'license_required' | 'user_limit'

export type AccountResult = { user: User } | { refused: AccountRefusalCode; reason: string }

/** The user's id at the provider, unique across providers: the issuer and its subject. */
export const externalIdOf = (issuer: string, subject: string): string => `${issuer}|${subject}`

/** signInOidcUser returns the user to start a session for, or why not; creates nothing when it refuses. */
export function signInOidcUser(deps: AccountDeps, externalId: string, profile: DirectoryProfile): AccountResult {
  const { users, audit, log } = deps
  if (!profile.allowed) return { refused: 'sso_not_allowed', reason: `none of the required oidc values in the role claim (has ${JSON.stringify(profile.values)})` }
  const existing = users.findExternal('oidc', externalId)
  if (existing) {
    if (existing.blockedAt !== null) return { refused: 'sso_blocked', reason: `user ${existing.id} is blocked` }
    refresh(deps, existing, profile)
    return { user: users.get(existing.id)! }
  }

  if (!profile.email) return { refused: 'sso_no_email', reason: 'the provider gave no e-mail address (email, upn or preferred_username claim)' }
  const other = users.findForSignIn(profile.email)
  if (other) {
    return { refused: 'sso_email_taken', reason: `${profile.email} belongs to ${other.user.authSource} user ${other.user.id}; accounts are not linked` }
  }
  const refusal = refuseNewUser(deps.license, users.count())
  if (refusal) return { refused: refusal.code === 'user_limit' ? 'user_limit' : 'license_required', reason: refusal.message }
  let user: User
  try {
    user = users.createExternal({ source: 'oidc', externalId, email: profile.email, displayName: profile.displayName, role: profile.role ?? 'member' })
  } catch (err) {
    if (err instanceof EmailTakenError) return { refused: 'sso_email_taken', reason: err.message }
    throw err
  }
  audit.record(SYSTEM_ACTOR, 'user.created', { id: user.id, name: user.displayName }, { source: 'oidc', role: user.role })
  log.info({ user: user.id, role: user.role }, 'oidc user created at first sign-in')
  return { user }
}

function refresh(deps: AccountDeps, user: User, profile: DirectoryProfile): void {
  const { users, audit, log } = deps
  let email = user.email
  if (profile.email && profile.email.toLowerCase() !== user.email.toLowerCase()) {
    const holder = users.findForSignIn(profile.email)
    if (holder && holder.user.id !== user.id) {
      log.warn({ user: user.id, email: profile.email, holder: holder.user.id }, 'oidc e-mail changed to one another user has; keeping the old one')
    } else {
      email = profile.email
    }
  }
  if (email !== user.email || profile.displayName !== user.displayName) {
    try {
      users.setProfile(user.id, email, profile.displayName || user.displayName)
    } catch (err) {
      // A concurrent sign-in took the e-mail between the check and the update: keep the old profile.
      if ((err as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw err
      log.warn({ user: user.id, err: (err as Error).message }, 'oidc profile not refreshed')
    }
  }
  if (profile.role === null || profile.role === user.role) return
  if (user.role === 'owner' && users.countOwners() <= 1) {
    log.warn({ user: user.id, mapped: profile.role }, 'oidc role claim would demote the last owner; the user stays owner')
    return
  }
  users.setRole(user.id, profile.role)
  audit.record(SYSTEM_ACTOR, 'user.role_changed', { id: user.id, name: profile.displayName || user.displayName }, { source: 'oidc', from: user.role, to: profile.role })
  log.info({ user: user.id, from: user.role, to: profile.role }, 'oidc role refreshed')
}
