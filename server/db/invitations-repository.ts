// Owns the invitations table: one row per recipient of each e-mail invitation, and the counts the
// daily limits are made of. Sending is server/mail/'s.
import type { Db } from './database.ts'
import type { UserId } from './users-repository.ts'

export type InvitationStatus = 'sent' | 'refused' | 'failed'

export interface Invitation {
  id: number
  roomId: string | null
  senderId: UserId | null
  senderName: string
  recipient: string
  createdAt: number
  scheduledAt: number | null
  sentAt: number | null
  status: InvitationStatus
  reason: string | null
}

export interface InvitationOutcome {
  recipient: string
  status: InvitationStatus
  /** When the SMTP server accepted it; required for 'sent'. */
  sentAt?: number | null
  reason?: string | null
}

export interface NewInvitations {
  roomId: string
  senderId: UserId
  senderName: string
  scheduledAt: number | null
  createdAt: number
  outcomes: InvitationOutcome[]
}

interface InvitationRow {
  id: number
  room_id: string | null
  sender_id: string | null
  sender_name: string
  recipient: string
  created_at: number
  scheduled_at: number | null
  sent_at: number | null
  status: InvitationStatus
  reason: string | null
}

const toInvitation = (r: InvitationRow): Invitation => ({
  id: r.id,
  roomId: r.room_id,
  senderId: r.sender_id as UserId | null,
  senderName: r.sender_name,
  recipient: r.recipient,
  createdAt: r.created_at,
  scheduledAt: r.scheduled_at,
  sentAt: r.sent_at,
  status: r.status,
  reason: r.reason,
})

export function createInvitationsRepository(db: Db) {
  const insert = db.prepare(
    `INSERT INTO invitations (room_id, sender_id, sender_name, recipient, created_at, scheduled_at, sent_at, status, reason)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const insertAll = db.transaction((batch: NewInvitations) => {
    for (const o of batch.outcomes) {
      insert.run(batch.roomId, batch.senderId, batch.senderName, o.recipient, batch.createdAt, batch.scheduledAt, o.sentAt ?? null, o.status, o.reason ?? null)
    }
  })
  const countUser = db.prepare<[string, number], number>(
    "SELECT COUNT(*) FROM invitations WHERE sender_id = ? AND sent_at >= ? AND status = 'sent'",
  ).pluck()
  const countAll = db.prepare<[number], number>("SELECT COUNT(*) FROM invitations WHERE sent_at >= ? AND status = 'sent'").pluck()
  const nthUser = db.prepare<[string, number, number], number>(
    "SELECT sent_at FROM invitations WHERE sender_id = ? AND sent_at >= ? AND status = 'sent' ORDER BY sent_at LIMIT 1 OFFSET ?",
  ).pluck()
  const nthAll = db.prepare<[number, number], number>(
    "SELECT sent_at FROM invitations WHERE sent_at >= ? AND status = 'sent' ORDER BY sent_at LIMIT 1 OFFSET ?",
  ).pluck()
  const byRoom = db.prepare<[string], InvitationRow>('SELECT * FROM invitations WHERE room_id = ? ORDER BY id')
  const bySender = db.prepare<[string], InvitationRow>('SELECT * FROM invitations WHERE sender_id = ? ORDER BY id')
  const rename = db.prepare('UPDATE invitations SET sender_name = ? WHERE sender_id = ?')
  const purge = db.prepare('DELETE FROM invitations WHERE created_at < ?')

  return {
    /** record stores one invitation's outcome for each recipient, in one transaction. */
    record(batch: NewInvitations): void {
      insertAll(batch)
    },
    /** countSentSince returns how many recipients `userId` invited successfully since `since` (ms). */
    countSentSince(userId: UserId, since: number): number {
      return countUser.get(userId, since) ?? 0
    },
    /** countWorkspaceSentSince returns how many recipients everyone invited successfully since `since`. */
    countWorkspaceSentSince(since: number): number {
      return countAll.get(since) ?? 0
    },
    /**
     * nthSentSince returns when the n-th (1-based) oldest successful send since `since` happened, for
     * `userId` or (null) for everyone; undefined when there are fewer. Tells when a daily limit frees up.
     */
    nthSentSince(userId: UserId | null, since: number, n: number): number | undefined {
      const offset = Math.max(n - 1, 0)
      return userId === null ? nthAll.get(since, offset) : nthUser.get(userId, since, offset)
    },
    listForRoom(roomId: string): Invitation[] {
      return byRoom.all(roomId).map(toInvitation)
    },
    listForSender(userId: UserId): Invitation[] {
      return bySender.all(userId).map(toInvitation)
    },
    /**
     * anonymiseSender replaces a user's name on their invitations with `label`; call it before the
     * user row is deleted (deletion only clears sender_id). Recipients stay: they are the addresses
     * the sender chose to write to, not the sender's personal data, and show who was invited.
     */
    anonymiseSender(userId: UserId, label: string): void {
      rename.run(label, userId)
    },
    /** purgeBefore deletes invitations made before `cutoff` (ms); returns how many rows. */
    purgeBefore(cutoff: number): number {
      return purge.run(cutoff).changes
    },
  }
}

export type InvitationsRepository = ReturnType<typeof createInvitationsRepository>
