// Owns deleting an account: the user row goes, and every other place that keeps their name is anonymised.
import type { AuditActor, AuditRepository } from '../db/audit-repository.ts'
import type { Db } from '../db/database.ts'
import { readInSyncTransaction, runInSyncTransaction } from '../db/engine.ts'
import type { InvitationsRepository } from '../db/invitations-repository.ts'
import type { MeetingHistoryRepository } from '../db/meeting-history-repository.ts'
import type { RecordingsRepository } from '../db/recordings-repository.ts'
import type { RoomsRepository } from '../db/rooms-repository.ts'
import type { SessionsRepository } from '../db/sessions-repository.ts'
import type { User, UserId, UsersRepository } from '../db/users-repository.ts'
import { disconnectUser } from '../sfu/disconnect-user.ts'
import type { RoomRegistry } from '../sfu/room-registry.ts'

/** An eraser replaces a deleted user's personal data in one store with `label`; synchronous (runs in the transaction). */
export type Eraser = (userId: UserId, label: string) => void

/** What erasure touches. The app (FastifyInstance) has all of it. */
export interface EraseDeps {
  db: Db
  usersRepository: UsersRepository
  sessionsRepository: SessionsRepository
  roomsRepository: RoomsRepository
  auditRepository: AuditRepository
  roomRegistry: RoomRegistry
  meetingHistory: { repository: Pick<MeetingHistoryRepository, 'queries'> }
  invitationsRepository: Pick<InvitationsRepository, 'queries'>
  /** Absent when the app runs without recording. */
  recordingsRepository?: Pick<RecordingsRepository, 'queries'>
}

/**
 * erasersOf lists every store that keeps a user's name beside their id, and how to anonymise it there.
 * A new store that keeps names adds one line here.
 */
function erasersOf(deps: EraseDeps): Eraser[] {
  return [
    (userId, label) => runInSyncTransaction(deps.db, ...deps.auditRepository.queries.anonymise(userId, label)),
    (userId, label) => runInSyncTransaction(deps.db, ...deps.meetingHistory.repository.queries.anonymiseUser(userId, label)),
    (userId, label) => runInSyncTransaction(deps.db, deps.invitationsRepository.queries.anonymiseSender(userId, label)),
    (userId, label) => deps.recordingsRepository && runInSyncTransaction(deps.db, deps.recordingsRepository.queries.anonymiseStarter(userId, label)),
  ]
}

/** anonymousLabel is what a deleted user is called from now on: stable, and names nobody. */
export const anonymousLabel = (userId: string): string => `deleted user #${userId.slice(0, 8)}`

/**
 * eraseUser deletes the account `userId` in one transaction: records who deleted whom, anonymises
 * the user everywhere (that entry included), and deletes the row (their sessions and rooms go with
 * it). Then it ends their live meeting connections and closes their rooms that were live.
 * Returns the deleted user, or undefined when there is no such user (nothing changed).
 */
export function eraseUser(deps: EraseDeps, userId: UserId, actor: AuditActor): User | undefined {
  const erase = deps.db.transaction((): { user: User; rooms: string[] } | undefined => {
    const user = deps.usersRepository.get(userId)
    if (!user) return undefined
    const rooms = readInSyncTransaction(deps.db, deps.roomsRepository.queries.listByOwner(userId)).map((r) => r.id)
    // First, under the real name: the erasers below anonymise this entry like every other.
    const entry = deps.auditRepository.queries.record(actor, 'user.deleted', { id: user.id, name: user.displayName }, { role: user.role, rooms: rooms.length })
    runInSyncTransaction(deps.db, entry)
    const label = anonymousLabel(user.id)
    for (const eraser of erasersOf(deps)) eraser(user.id, label)
    deps.sessionsRepository.deleteForUser(user.id)
    deps.usersRepository.delete(user.id)
    return { user, rooms }
  })
  const done = erase()
  if (!done) return undefined
  // Live state is not in the database: only touched once the deletion is committed.
  disconnectUser(deps.roomRegistry, done.user.id)
  for (const room of done.rooms) deps.roomRegistry.close(room, 'deleted')
  return done.user
}
