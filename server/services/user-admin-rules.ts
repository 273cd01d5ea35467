// Who may do what to whose account. Pure: the users service (./users.ts) applies the answer.
import type { Role, User } from '../db/users-repository.ts'

export type AdminAction = 'role' | 'block' | 'unblock' | 'password' | 'delete'

export interface AdminRefusal {
  status: 403 | 409
  code: 'owner_required' | 'self_action' | 'last_owner' | 'directory_user'
  message: string
}

/**
 * refuseAdminAction returns why `actor` may not apply `action` to `target`, or undefined when allowed.
 * Owners manage everyone; admins only members and never roles; nobody blocks or deletes themselves;
 * the last owner who can sign in is never demoted, blocked or deleted (`owners`: how many owners
 * are not blocked; a blocked owner cannot rescue the workspace). `newRole` is for 'role'.
 */
export function refuseAdminAction(
  actor: { id: string | null; role: Role },
  target: User,
  action: AdminAction,
  owners: number,
  newRole?: Role,
): AdminRefusal | undefined {
  if (target.id === actor.id && (action === 'block' || action === 'delete')) {
    return { status: 409, code: 'self_action', message: `you cannot ${action} your own account; another owner can` }
  }
  if (action === 'role' && actor.role !== 'owner') {
    return { status: 403, code: 'owner_required', message: 'only an owner may change roles' }
  }
  if (actor.role !== 'owner' && target.role !== 'member') {
    return { status: 403, code: 'owner_required', message: 'admins manage members only; ask an owner to manage owners and admins' }
  }
  const removesOwner = action === 'block' || action === 'delete' || (action === 'role' && newRole !== 'owner')
  if (target.role === 'owner' && target.blockedAt === null && removesOwner && owners <= 1) {
    return {
      status: 409,
      code: 'last_owner',
      message: `${target.displayName} is the workspace's only owner: make another user owner first`,
    }
  }
  if (action === 'password' && target.authSource !== 'local') {
    return {
      status: 409,
      code: 'directory_user',
      message: `${target.displayName}'s password is managed by the directory (${target.authSource === 'ldap' ? 'LDAP' : 'SSO'}); change it there`,
    }
  }
  return undefined
}
