// Turns what the provider says about a user (ID token and userinfo claims) into Veche's profile:
// e-mail, display name, and the role its configured claim values map to.
import type { Role } from '../../db/users-repository.ts'

export interface ClaimRules {
  /** A claim name, or a dotted path into an object claim (Keycloak: realm_access.roles). */
  roleClaim: string
  ownerValues: string[]
  adminValues: string[]
  requiredValues: string[]
}

export interface DirectoryProfile {
  /** null: the provider gave no usable e-mail address. */
  email: string | null
  displayName: string
  /** null: the rules map no roles (owner and admin values both empty); roles are set in Veche. */
  role: Role | null
  /** False when requiredValues are set and the user holds none of them. */
  allowed: boolean
  /** The role claim's values, for the log. */
  values: string[]
}

/** The limits of Veche's users table (same as the API's schemas). */
const MAX_EMAIL = 254
const MAX_NAME = 64
const EMAIL = /^[^\s@]+@[^\s@]+$/

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '')

/** claimValues reads the role claim as a list of strings: a string is one value, a list keeps its strings. */
export function claimValues(claims: Record<string, unknown>, name: string): string[] {
  let value: unknown = claims[name]
  if (value === undefined && name.includes('.')) {
    value = name.split('.').reduce<unknown>((at, key) => (typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[key] : undefined), claims)
  }
  if (typeof value === 'string') return [value]
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
}

function emailOf(claims: Record<string, unknown>): string | null {
  // Some providers (ADFS, Entra ID) put the address only in upn or preferred_username.
  for (const key of ['email', 'upn', 'preferred_username']) {
    const value = text(claims[key])
    if (EMAIL.test(value) && value.length <= MAX_EMAIL) return value
  }
  return null
}

function nameOf(claims: Record<string, unknown>, email: string | null): string {
  const full = text(claims.name) || [text(claims.given_name), text(claims.family_name)].filter(Boolean).join(' ')
  const name = full || text(claims.preferred_username) || (email ? email.split('@')[0]! : '') || text(claims.sub)
  return [...name].slice(0, MAX_NAME).join('').trim()
}

/** profileFromClaims applies `rules` to the provider's claims. */
export function profileFromClaims(claims: Record<string, unknown>, rules: ClaimRules): DirectoryProfile {
  const values = claimValues(claims, rules.roleClaim)
  const has = (list: string[]): boolean => list.some((v) => values.includes(v))
  const mapsRoles = rules.ownerValues.length > 0 || rules.adminValues.length > 0
  const role: Role | null = has(rules.ownerValues) ? 'owner' : has(rules.adminValues) ? 'admin' : mapsRoles ? 'member' : null
  const allowed = rules.requiredValues.length === 0 || has(rules.requiredValues) || has(rules.ownerValues) || has(rules.adminValues)
  const email = emailOf(claims)
  return { email, displayName: nameOf(claims, email), role, allowed, values }
}
