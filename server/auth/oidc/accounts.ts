// The Veche user behind a verified OpenID Connect sign-in (server/auth/external-account.ts does the
// finding, creating and refreshing), and the sign-in page's code for each refusal.
import { externalAccount, type ExternalAccountDeps } from '../external-account.ts'
import type { User } from '../../db/users-repository.ts'
import type { DirectoryProfile } from './claims.ts'

export type AccountDeps = ExternalAccountDeps

/**
 * Why a verified user may still not sign in. sso_email_taken: another account (a password one, or
 * another directory's) has the e-mail, and accounts are never linked silently.
 */
export type AccountRefusalCode = 'sso_blocked' | 'sso_email_taken' | 'sso_no_email' | 'sso_not_allowed' | 'license_required' | 'user_limit'

export type AccountResult = { user: User } | { refused: AccountRefusalCode; reason: string }

/** The user's id at the provider, unique across providers: the issuer and its subject. */
export const externalIdOf = (issuer: string, subject: string): string => `${issuer}|${subject}`

/** signInOidcUser returns the user to start a session for, or why not; creates nothing when it refuses. */
export async function signInOidcUser(deps: AccountDeps, externalId: string, profile: DirectoryProfile): Promise<AccountResult> {
  if (!profile.allowed) return { refused: 'sso_not_allowed', reason: `none of the required oidc values in the role claim (has ${JSON.stringify(profile.values)})` }
  const result = await externalAccount(deps, 'oidc', externalId, profile)
  if ('user' in result) return result
  const { refused } = result
  switch (refused.kind) {
    case 'blocked':
      return { refused: 'sso_blocked', reason: refused.reason }
    case 'no_email':
      return { refused: 'sso_no_email', reason: 'the provider gave no e-mail address (email, upn or preferred_username claim)' }
    case 'email_taken':
      return { refused: 'sso_email_taken', reason: refused.reason }
    case 'license':
      return { refused: refused.code === 'user_limit' ? 'user_limit' : 'license_required', reason: refused.reason }
  }
}
