// Owns deleting an account: the user row goes, and every other place that keeps their name is anonymised.
import type { AuditActor } from '../db/audit-repository.ts'
import { createAuditRepository } from '../db/audit-repository.ts'
import type { DataLayer } from '../db/engine.ts'
import { createInvitationsRepository } from '../db/invitations-repository.ts'
import { createMeetingHistoryRepository } from '../db/meeting-history-repository.ts'
import { createRecordingsRepository } from '../db/recordings-repository.ts'
import { createRoomsRepository, type RoomId } from '../db/rooms-repository.ts'
import { createSessionsRepository } from '../db/sessions-repository.ts'
import { createUsersRepository, type User, type UserId } from '../db/users-repository.ts'

/** An eraser replaces a deleted user's personal data in one store with `label`, inside the deleting transaction. */
export type Eraser = (tx: DataLayer, userId: UserId, label: string) => Promise<void>

/**
 * ERASERS lists every store that keeps a user's name beside their id, and how to anonymise it there.
 * A new store that keeps names adds one line here.
 */
const ERASERS: readonly Eraser[] = [
  (tx, userId, label) => createAuditRepository(tx).anonymise(userId, label),
  (tx, userId, label) => createMeetingHistoryRepository(tx).anonymiseUser(userId, label),
  (tx, userId, label) => createInvitationsRepository(tx).anonymiseSender(userId, label),
  (tx, userId, label) => createRecordingsRepository(tx).anonymiseStarter(userId, label),
]

/** anonymousLabel is what a deleted user is called from now on: stable, and names nobody. */
export const anonymousLabel = (userId: string): string => `deleted user #${userId.slice(0, 8)}`

/**
 * eraseAccount deletes `user` within the transaction `tx`: records who deleted whom, anonymises the
 * user everywhere (that entry included), and deletes the row (their sessions and rooms go with it).
 * Returns the ids of the rooms they owned, for the caller to close once the transaction committed
 * (live meetings are not in the database). The users service (server/services/users.ts) calls it.
 */
export async function eraseAccount(tx: DataLayer, user: User, actor: AuditActor): Promise<RoomId[]> {
  const rooms = (await createRoomsRepository(tx).listByOwner(user.id)).map((r) => r.id)
  // First, under the real name: the erasers below anonymise this entry like every other.
  await createAuditRepository(tx).record(actor, 'user.deleted', { id: user.id, name: user.displayName }, { role: user.role, rooms: rooms.length })
  const label = anonymousLabel(user.id)
  for (const eraser of ERASERS) await eraser(tx, user.id, label)
  await createSessionsRepository(tx).deleteForUser(user.id)
  await createUsersRepository(tx).delete(user.id)
  return rooms
}
