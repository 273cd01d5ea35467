// Owns the invitations table: one row per recipient of each e-mail invitation, and the counts the
// daily limits are made of. Sending is server/mail/'s. On Kysely (server/db/engine.ts): the same
// queries on SQLite and PostgreSQL.
import type { Selectable } from 'kysely'
import type { DataLayer } from './engine.ts'
import type { InvitationsTable } from './schema.ts'
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

const toInvitation = (r: Selectable<InvitationsTable>): Invitation => ({
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

export function createInvitationsRepository({ db }: DataLayer) {
  const sentSince = (since: number) => db.selectFrom('invitations').where('sent_at', '>=', since).where('status', '=', 'sent')
  return {
    /** record stores one invitation's outcome for each recipient, in one statement (all or none). */
    async record(batch: NewInvitations): Promise<void> {
      if (batch.outcomes.length === 0) return
      await db
        .insertInto('invitations')
        .values(
          batch.outcomes.map((o) => ({
            room_id: batch.roomId,
            sender_id: batch.senderId,
            sender_name: batch.senderName,
            recipient: o.recipient,
            created_at: batch.createdAt,
            scheduled_at: batch.scheduledAt,
            sent_at: o.sentAt ?? null,
            status: o.status,
            reason: o.reason ?? null,
          })),
        )
        .execute()
    },
    /** countSentSince returns how many recipients `userId` invited successfully since `since` (ms). */
    async countSentSince(userId: UserId, since: number): Promise<number> {
      const row = await sentSince(since).where('sender_id', '=', userId).select((e) => e.fn.countAll<number>().as('n')).executeTakeFirst()
      return row?.n ?? 0
    },
    /** countWorkspaceSentSince returns how many recipients everyone invited successfully since `since`. */
    async countWorkspaceSentSince(since: number): Promise<number> {
      const row = await sentSince(since).select((e) => e.fn.countAll<number>().as('n')).executeTakeFirst()
      return row?.n ?? 0
    },
    /**
     * nthSentSince returns when the n-th (1-based) oldest successful send since `since` happened, for
     * `userId` or (null) for everyone; undefined when there are fewer. Tells when a daily limit frees up.
     */
    async nthSentSince(userId: UserId | null, since: number, n: number): Promise<number | undefined> {
      let query = sentSince(since)
      if (userId !== null) query = query.where('sender_id', '=', userId)
      const row = await query.select('sent_at').orderBy('sent_at').limit(1).offset(Math.max(n - 1, 0)).executeTakeFirst()
      return row?.sent_at ?? undefined
    },
    async listForRoom(roomId: string): Promise<Invitation[]> {
      return (await db.selectFrom('invitations').selectAll().where('room_id', '=', roomId).orderBy('id').execute()).map(toInvitation)
    },
    async listForSender(userId: UserId): Promise<Invitation[]> {
      return (await db.selectFrom('invitations').selectAll().where('sender_id', '=', userId).orderBy('id').execute()).map(toInvitation)
    },
    /**
     * anonymiseSender replaces a user's name on their invitations with `label`; call it before the
     * user row is deleted (deletion only clears sender_id). Recipients stay: they are the addresses
     * the sender chose to write to, not the sender's personal data, and show who was invited.
     */
    async anonymiseSender(userId: UserId, label: string): Promise<void> {
      await db.updateTable('invitations').set({ sender_name: label }).where('sender_id', '=', userId).execute()
    },
    /** purgeBefore deletes invitations made before `cutoff` (ms); returns how many rows. */
    async purgeBefore(cutoff: number): Promise<number> {
      const { numDeletedRows } = await db.deleteFrom('invitations').where('created_at', '<', cutoff).executeTakeFirst()
      return Number(numDeletedRows)
    },
  }
}

export type InvitationsRepository = ReturnType<typeof createInvitationsRepository>
