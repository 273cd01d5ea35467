// The Veche account behind a directory sign-in (LDAP or OpenID Connect): found by the directory's id
// for the person, created at their first sign-in, and refreshed (e-mail, name, role) at every one.
// Accounts are never linked by e-mail: a directory user whose address another account holds is
// refused, so a directory can never take over the owner's local account.
import type { FastifyBaseLogger } from 'fastify'
import { SYSTEM_ACTOR, type AuditRepository } from '../db/audit-repository.ts'
import { EmailTakenError, type AuthSource, type Role, type User, type UsersRepository } from '../db/users-repository.ts'
import type { LicenseState } from '../license/evaluate.ts'
import { refuseNewUser } from '../license/policy.ts'

export type DirectorySource = Exclude<AuthSource, 'local'>

/** What the directory says about the person at this sign-in. */
export interface ExternalProfile {
  /** null: the directory gave no e-mail address. */
  email: string | null
  displayName: string
  /** null: the directory decides no role (roles are managed in Veche). */
  role: Role | null
}

export interface ExternalAccountDeps {
  users: UsersRepository
  audit: AuditRepository
  license: LicenseState
  log: FastifyBaseLogger
}

/** Why a person the directory vouched for still gets no session; the caller words it for its flow. */
export type ExternalAccountRefusal =
  | { kind: 'blocked'; reason: string }
  | { kind: 'no_email'; reason: string }
  | { kind: 'email_taken'; takenBy: AuthSource; email: string; reason: string }
  | { kind: 'license'; code: string; reason: string }

export type ExternalAccountResult = { user: User } | { refused: ExternalAccountRefusal }

/**
 * externalAccount returns the user to start a session for, or why not; creates nothing when it refuses.
 * `formerIds` are names the directory person may have been stored under before (an LDAP entry's DN, from
 * before UUIDs were used): an account found by one of them is re-keyed to `externalId`.
 */
export async function externalAccount(
  deps: ExternalAccountDeps,
  source: DirectorySource,
  externalId: string,
  profile: ExternalProfile,
  formerIds: readonly string[] = [],
): Promise<ExternalAccountResult> {
  const { users } = deps
  const existing = (await users.findExternal(source, externalId)) ?? (await rekeyed(deps, source, externalId, formerIds))
  if (existing) {
    if (existing.blockedAt !== null) return { refused: { kind: 'blocked', reason: `user ${existing.id} is blocked` } }
    await refresh(deps, source, existing, profile)
    return { user: (await users.get(existing.id))! }
  }

  if (!profile.email) return { refused: { kind: 'no_email', reason: `the ${source} directory gave no e-mail address` } }
  const holder = await users.findForSignIn(profile.email)
  if (holder) return { refused: emailTaken(profile.email, holder.user.authSource, `belongs to ${holder.user.authSource} user ${holder.user.id}`) }
  const limit = refuseNewUser(deps.license, await users.count())
  if (limit) return { refused: { kind: 'license', code: limit.code, reason: limit.message } }
  let user: User
  try {
    const role = profile.role ?? 'member'
    user = await users.createExternal({ source, externalId, email: profile.email, displayName: profile.displayName, role })
  } catch (err) {
    // Another sign-in took the e-mail between the check and the insert.
    if (err instanceof EmailTakenError) return { refused: emailTaken(profile.email, source, err.message) }
    throw err
  }
  await deps.audit.record(SYSTEM_ACTOR, 'user.created', { id: user.id, name: user.displayName }, { source, role: user.role })
  deps.log.info({ user: user.id, role: user.role, source }, 'directory user created at first sign-in')
  return { user }
}

/** rekeyed moves an account stored under a former id to `externalId`, and returns it; undefined: none. */
async function rekeyed(deps: ExternalAccountDeps, source: DirectorySource, externalId: string, formerIds: readonly string[]): Promise<User | undefined> {
  for (const former of formerIds) {
    if (former === externalId) continue
    const user = await deps.users.findExternal(source, former)
    if (!user) continue
    // False: a concurrent sign-in of the same person re-keyed it first.
    if (!(await deps.users.setExternalId(user.id, externalId))) return deps.users.findExternal(source, externalId)
    deps.log.info({ user: user.id, from: former, to: externalId, source }, 'directory account re-keyed to a stable id')
    return user
  }
  return undefined
}

const emailTaken = (email: string, takenBy: AuthSource, why: string): ExternalAccountRefusal => ({
  kind: 'email_taken',
  takenBy,
  email,
  reason: `${email} ${why}; accounts are not linked`,
})

/** refresh brings e-mail, name and role in line with the directory; the last owner is never demoted. */
async function refresh(deps: ExternalAccountDeps, source: DirectorySource, user: User, profile: ExternalProfile): Promise<void> {
  const { users, log } = deps
  let email = user.email
  if (profile.email) {
    const holder = profile.email.toLowerCase() === user.email.toLowerCase() ? undefined : await users.findForSignIn(profile.email)
    if (holder && holder.user.id !== user.id) {
      log.warn({ user: user.id, email: profile.email, holder: holder.user.id, source }, 'directory e-mail changed to one another account has; keeping the old one')
    } else {
      email = profile.email // perhaps only in new letter case
    }
  }
  const displayName = profile.displayName || user.displayName
  if (email !== user.email || displayName !== user.displayName) {
    try {
      await users.setProfile(user.id, email, displayName)
    } catch (err) {
      // A concurrent sign-in took the e-mail between the check and the update: keep the old profile.
      if (!(err instanceof EmailTakenError)) throw err
      log.warn({ user: user.id, err: (err as Error).message, source }, 'directory profile not refreshed')
    }
  }
  if (profile.role === null || profile.role === user.role) return
  if (user.role === 'owner' && (await users.countOwners()) <= 1) {
    log.warn({ user: user.id, mapped: profile.role, source }, 'directory groups would demote the last owner; the user stays owner')
    return
  }
  await users.setRole(user.id, profile.role)
  await deps.audit.record(SYSTEM_ACTOR, 'user.role_changed', { id: user.id, name: displayName }, { source, from: user.role, to: profile.role })
  log.info({ user: user.id, from: user.role, to: profile.role, source }, 'directory role refreshed')
}
