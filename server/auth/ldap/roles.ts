// Maps a directory user's groups to a Veche role, and decides whether they may sign in at all.
import type { Role } from '../../db/users-repository.ts'

export interface GroupRules {
  ownerGroups: readonly string[]
  adminGroups: readonly string[]
  /** Empty: everyone the directory knows may sign in. */
  requiredGroups: readonly string[]
}

/**
 * normalizeDn returns a form of a DN for comparing: attribute names and values compare case-insensitively
 * in every directory Veche meets (cn, ou, dc), and spaces around separators carry no meaning
 * (`CN=Admins, OU=Groups` is `cn=admins,ou=groups`).
 */
export function normalizeDn(dn: string): string {
  return dn.trim().toLowerCase().replace(/\s*([,=+])\s*/g, '$1')
}

/**
 * roleFor returns the role the groups give (owner over admin over member), or null when requiredGroups
 * is set and the user is in none of them. Owner and admin groups count as permitted: an administrator
 * who names a group for a role means its members to sign in.
 */
export function roleFor(groups: readonly string[], rules: GroupRules): Role | null {
  const mine = new Set(groups.map(normalizeDn))
  const inAny = (list: readonly string[]): boolean => list.some((dn) => mine.has(normalizeDn(dn)))
  if (inAny(rules.ownerGroups)) return 'owner'
  if (inAny(rules.adminGroups)) return 'admin'
  if (rules.requiredGroups.length > 0 && !inAny(rules.requiredGroups)) return null
  return 'member'
}
