// The business transactions on accounts that the Users page (routes/users.ts) and the CLI's `veche
// admin` commands share: add a user within the license, change a role, block and unblock, reset a
// password, unlock, delete with anonymisation. Each reads what it decides on and writes, audit entry
// included, in one database transaction; live meetings (not in the database) are touched only after
// it committed. Slow work (hashing a password) is the caller's, before: no transaction waits on it.
import { sql } from 'kysely'
import { createAuditRepository, type AuditActor } from '../db/audit-repository.ts'
import { inTransaction, type DataLayer } from '../db/engine.ts'
import { createSessionsRepository } from '../db/sessions-repository.ts'
import { createUsersRepository, EmailTakenError, type NewUser, type Role, type User, type UserId } from '../db/users-repository.ts'
import type { LicenseState } from '../license/evaluate.ts'
import { refuseNewUser } from '../license/policy.ts'
import { eraseAccount } from '../privacy/erase-user.ts'
import { disconnectUser } from '../sfu/disconnect-user.ts'
import type { RoomRegistry } from '../sfu/room-registry.ts'
import { refuseAdminAction, type AdminAction } from './user-admin-rules.ts'

export interface UsersServiceDeps {
  dataLayer: DataLayer
  /** Live meetings, to take a blocked or deleted user out at once; absent in the CLI, where none run. */
  roomRegistry?: RoomRegistry
}

/**
 * Who acts: a signed-in owner or admin (a User: the rules of user-admin-rules.ts apply), or the
 * operator at the machine's console (`veche admin`, id null), who acts as an owner would.
 */
export type Actor = User | (AuditActor & { id: null })

/** Why nothing was done; the route answers it as is, the CLI prints the message. */
export interface Refusal {
  status: 403 | 404 | 409
  code: string
  message: string
}

export type Outcome<T> = T | { refused: Refusal }

export const refused = <T extends object>(outcome: Outcome<T>): outcome is { refused: Refusal } => 'refused' in outcome

/** The PostgreSQL advisory lock every account change holds while it decides (see accountsLocked). */
const ACCOUNTS_LOCK = '8531334369148494947'

/**
 * accountsLocked runs `work` in a transaction in which no other account change runs: on SQLite the
 * transaction holds the one connection; on PostgreSQL an advisory lock held to its end serialises
 * them across servers, so two owners demoting each other at once cannot leave the workspace with none.
 */
function accountsLocked<T>(layer: DataLayer, work: (tx: DataLayer) => Promise<T>): Promise<T> {
  return inTransaction(layer, async (tx) => {
    if (tx.engine === 'postgres') await sql`SELECT pg_advisory_xact_lock(${ACCOUNTS_LOCK}::bigint)`.execute(tx.db)
    return work(tx)
  })
}

const target = (user: User) => ({ id: user.id, name: user.displayName })

/** permitted returns the account `id` when `actor` may apply `action` to it, else why not. */
async function permitted(tx: DataLayer, actor: Actor, id: string, action: AdminAction, newRole?: Role): Promise<Outcome<{ user: User }>> {
  const users = createUsersRepository(tx)
  const user = await users.get(id)
  if (!user) return { refused: { status: 404, code: 'user_not_found', message: `no user ${id}: it may have been deleted; reload the list` } }
  const by = actor.id === null ? { id: null, role: 'owner' as const } : actor
  const refusal = refuseAdminAction(by, user, action, await users.countActiveOwners(), newRole)
  return refusal ? { refused: refusal } : { user }
}

/**
 * mayAct tells, changing nothing, whether `actor` may apply `action` to the account `id` now: to refuse
 * before slow work (hashing a password). The change itself checks again in its transaction.
 */
export function mayAct(deps: UsersServiceDeps, actor: Actor, id: string, action: AdminAction, newRole?: Role): Promise<Outcome<{ user: User }>> {
  return permitted(deps.dataLayer, actor, id, action, newRole)
}

/**
 * createFirstOwner creates the workspace owner while there is none (the first-run form, `veche admin
 * create-owner`); undefined when an owner exists, so two forms submitted at once make one owner.
 */
export async function createFirstOwner(deps: UsersServiceDeps, input: Omit<NewUser, 'role'>): Promise<User | undefined> {
  return accountsLocked(deps.dataLayer, async (tx) => {
    const users = createUsersRepository(tx)
    return (await users.hasOwner()) ? undefined : users.create({ ...input, role: 'owner' })
  })
}

/**
 * createUser adds a local account (`passwordHash` already hashed) when the license allows one more.
 * Refused: 403 license_required / user_limit, 409 email_taken.
 */
export async function createUser(deps: UsersServiceDeps, actor: Actor, license: LicenseState, input: NewUser): Promise<Outcome<{ user: User }>> {
  try {
    return await accountsLocked(deps.dataLayer, async (tx) => {
      const users = createUsersRepository(tx)
      const limit = refuseNewUser(license, await users.count())
      if (limit) return { refused: { status: 403, code: limit.code, message: limit.message } }
      const user = await users.create(input)
      await createAuditRepository(tx).record(actor, 'user.created', target(user), { role: user.role })
      return { user }
    })
  } catch (err) {
    if (err instanceof EmailTakenError) return { refused: { status: 409, code: 'email_taken', message: err.message } }
    throw err
  }
}

/** changeRole gives the account `id` the role `role`; unchanged when it already has it. */
export async function changeRole(deps: UsersServiceDeps, actor: Actor, id: string, role: Role): Promise<Outcome<{ user: User; from: Role }>> {
  return accountsLocked(deps.dataLayer, async (tx) => {
    const found = await permitted(tx, actor, id, 'role', role)
    if (refused(found)) return found
    const { user } = found
    if (user.role === role) return { user, from: role }
    await createUsersRepository(tx).setRole(user.id, role)
    await createAuditRepository(tx).record(actor, 'user.role_changed', target(user), { from: user.role, to: role })
    return { user: { ...user, role }, from: user.role }
  })
}

/**
 * blockUser blocks the account `id` and ends its sessions, then takes it out of every live meeting.
 * Returns how many sessions and live connections ended (0 and 0 when it was already blocked).
 */
export async function blockUser(deps: UsersServiceDeps, actor: Actor, id: string, now = Date.now()): Promise<Outcome<{ user: User; sessions: number; connections: number }>> {
  const done = await accountsLocked(deps.dataLayer, async (tx): Promise<Outcome<{ user: User; sessions: number; blocked: boolean }>> => {
    const found = await permitted(tx, actor, id, 'block')
    if (refused(found)) return found
    const { user } = found
    if (user.blockedAt !== null) return { user, sessions: 0, blocked: false }
    await createUsersRepository(tx).setBlocked(user.id, true, now)
    await createAuditRepository(tx).record(actor, 'user.blocked', target(user))
    const sessions = await createSessionsRepository(tx).deleteForUser(user.id)
    return { user: { ...user, blockedAt: now }, sessions, blocked: true }
  })
  if (refused(done)) return done
  const { user, sessions, blocked } = done
  return { user, sessions, connections: blocked && deps.roomRegistry ? disconnectUser(deps.roomRegistry, user.id) : 0 }
}

/** unblockUser lets the account `id` sign in again; unchanged when it is not blocked. */
export async function unblockUser(deps: UsersServiceDeps, actor: Actor, id: string): Promise<Outcome<{ user: User }>> {
  return accountsLocked(deps.dataLayer, async (tx) => {
    const found = await permitted(tx, actor, id, 'unblock')
    if (refused(found)) return found
    const { user } = found
    if (user.blockedAt === null) return { user }
    await createUsersRepository(tx).setBlocked(user.id, false)
    await createAuditRepository(tx).record(actor, 'user.unblocked', target(user))
    return { user: { ...user, blockedAt: null } }
  })
}

/**
 * resetPassword stores `passwordHash` (hashed by the caller) for the local account `id`, clears its
 * failed sign-ins and lock, and signs it out everywhere. Returns how many sessions ended.
 */
export async function resetPassword(deps: UsersServiceDeps, actor: Actor, id: string, passwordHash: string): Promise<Outcome<{ user: User; sessions: number }>> {
  return accountsLocked(deps.dataLayer, async (tx) => {
    const found = await permitted(tx, actor, id, 'password')
    if (refused(found)) return found
    const { user } = found
    const users = createUsersRepository(tx)
    await users.setPasswordHash(user.id, passwordHash)
    await users.clearFailedSignIns(user.id)
    await createAuditRepository(tx).record(actor, 'user.password_reset', target(user))
    return { user, sessions: await createSessionsRepository(tx).deleteForUser(user.id) }
  })
}

/**
 * unlockUser clears the account's failed sign-ins and lock before the lock runs out. Audited only
 * when there was something to clear. Returns what there was.
 */
export async function unlockUser(deps: UsersServiceDeps, actor: Actor, id: UserId, now = Date.now()): Promise<Outcome<{ user: User; failedSignIns: number; locked: boolean }>> {
  return accountsLocked(deps.dataLayer, async (tx) => {
    const users = createUsersRepository(tx)
    const record = await users.signInRecord(id)
    if (!record) return { refused: { status: 404, code: 'user_not_found', message: `no user ${id}: it may have been deleted` } }
    const locked = record.lockedUntil !== null && record.lockedUntil > now
    await users.clearFailedSignIns(id)
    if (record.failedSignIns > 0 || locked) {
      await createAuditRepository(tx).record(actor, 'user.unlocked', target(record.user), { failedSignIns: record.failedSignIns })
    }
    return { user: record.user, failedSignIns: record.failedSignIns, locked }
  })
}

/**
 * deleteUser deletes the account `id` with anonymisation (server/privacy/erase-user.ts) in one
 * transaction, then ends its live meeting connections and closes its rooms that were live.
 */
export async function deleteUser(deps: UsersServiceDeps, actor: Actor, id: string): Promise<Outcome<{ user: User }>> {
  const done = await accountsLocked(deps.dataLayer, async (tx): Promise<Outcome<{ user: User; rooms: string[] }>> => {
    const found = await permitted(tx, actor, id, 'delete')
    if (refused(found)) return found
    return { user: found.user, rooms: await eraseAccount(tx, found.user, actor) }
  })
  if (refused(done)) return done
  if (deps.roomRegistry) {
    disconnectUser(deps.roomRegistry, done.user.id)
    for (const room of done.rooms) deps.roomRegistry.close(room, 'deleted')
  }
  return { user: done.user }
}
