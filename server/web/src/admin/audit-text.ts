// Turns an audit entry into a sentence in the current language: who, and what they did to whom.
import type { AuditEntry, Role } from '../api.ts'
import { hasMessage, t, type MessageKey } from '../i18n/index.ts'

const roleKeys: Record<Role, MessageKey> = { owner: 'role.owner', admin: 'role.admin', member: 'role.member' }
const isRole = (value: unknown): value is Role => value === 'owner' || value === 'admin' || value === 'member'

/** personName shows a stored name; the server's anonymous label for a deleted user is translated. */
export function personName(name: string | null): string {
  if (name === null) return '—'
  const deleted = /^deleted user #(\w+)$/.exec(name)
  return deleted ? t('audit.deletedUser', { id: deleted[1]! }) : name
}

/** actorText names who acted: a person, the server itself, or the console. */
export function actorText(entry: AuditEntry): string {
  if (entry.actorId === null && entry.actorName === 'system') return t('audit.actor.system')
  if (entry.actorId === null && entry.actorName === 'cli') return t('audit.actor.cli')
  return personName(entry.actorName)
}

/** detailParams offers every detail value as a message parameter; roles in words. */
function detailParams(detail: Record<string, unknown>): Record<string, string | number> {
  const params: Record<string, string | number> = {}
  for (const [key, value] of Object.entries(detail)) {
    if (isRole(value)) params[key] = t(roleKeys[value])
    else if (typeof value === 'string' || typeof value === 'number') params[key] = value
  }
  return params
}

/**
 * actionText describes what happened, e.g. "changed the role of Boris: Member → Admin". Areas add
 * `audit.action.<action>` texts for their own actions; an action without one is shown as recorded.
 */
export function actionText(entry: AuditEntry): string {
  // Accounts made or changed by a directory sign-in (LDAP, OIDC) have texts of their own.
  const viaDirectory = typeof entry.detail.source === 'string' && entry.detail.source !== 'local'
  const directoryKey = `audit.action.${entry.action}.directory`
  // Actions the server takes for several reasons (a sign-out by the directory) have a text per reason.
  const reasonKey = typeof entry.detail.reason === 'string' ? `audit.action.${entry.action}.${entry.detail.reason}` : ''
  const key = reasonKey && hasMessage(reasonKey) ? reasonKey : viaDirectory && hasMessage(directoryKey) ? directoryKey : `audit.action.${entry.action}`
  const params: Record<string, string | number> = { ...detailParams(entry.detail), target: personName(entry.targetName) }
  if (typeof entry.detail.source === 'string') params.source = entry.detail.source.toUpperCase()
  if (hasMessage(key)) return t(key, params)
  const detail = Object.entries(entry.detail)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ')
  return [entry.action, entry.targetName === null ? null : params.target, detail ? `(${detail})` : null].filter(Boolean).join(' ')
}
