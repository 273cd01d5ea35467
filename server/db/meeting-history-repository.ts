// Owns the meeting history tables: meetings, their participants' stays (with each stay's connection
// quality) and chat, and each day's peak load. The recorder (server/history/) writes; the owner's
// history pages and exports read; retention and account deletion remove or anonymise. On Kysely
// (server/db/engine.ts): the same statements on SQLite and PostgreSQL but for the scalar maximum
// (MAX(a, b) there, GREATEST(a, b) here).
import { sql, type Selectable } from 'kysely'
import type { DataLayer } from './engine.ts'
import type { MeetingChatTable, MeetingParticipantsTable, MeetingsTable } from './schema.ts'

export type MeetingId = number & { readonly __brand: 'MeetingId' }
export type ParticipantId = number & { readonly __brand: 'ParticipantId' }
export type ParticipantKind = 'internal' | 'guest'

export interface NewMeeting {
  roomId: string
  roomTitle: string
  startedAt: number
}

export interface NewParticipant {
  meetingId: MeetingId
  userId: string | null
  displayName: string
  kind: ParticipantKind
  joinedAt: number
  userAgent: string | null
  browser: string | null
  os: string | null
  ip: string | null
  viaProxy: boolean
  forwardedFor: string | null
}

export interface NewChatMessage {
  meetingId: MeetingId
  participantId: ParticipantId | null
  senderName: string
  text: string
  sentAt: number
}

export interface MeetingSummary {
  id: MeetingId
  roomId: string
  roomTitle: string
  /** Unix milliseconds. */
  startedAt: number
  /** null while the meeting runs. */
  endedAt: number | null
  /** People who took part (a person who left and came back counts once). */
  participants: number
}

/**
 * A stay's connection quality (0008). The levels are the participant's browser's own rating summed
 * (null when it never reported); the limits are the server's, for the participant's downlink.
 */
export interface StayQuality {
  goodMs: number | null
  fairMs: number | null
  poorMs: number | null
  /** The server sent a smaller picture or fewer frames than asked for. */
  videoLoweredMs: number
  /** The server sent no video at all: not even the smallest picture fitted. */
  audioOnlyMs: number
}

export interface Participant {
  id: ParticipantId
  meetingId: MeetingId
  userId: string | null
  displayName: string
  kind: ParticipantKind
  joinedAt: number
  leftAt: number | null
  userAgent: string | null
  browser: string | null
  os: string | null
  ip: string | null
  viaProxy: boolean
  forwardedFor: string | null
  /** null while the stay runs and for stays recorded before 0008. */
  quality: StayQuality | null
}

export interface ChatEntry {
  meetingId: MeetingId
  participantId: ParticipantId | null
  senderName: string
  text: string
  sentAt: number
}

export interface MeetingDetail extends MeetingSummary {
  participantList: Participant[]
  chat: ChatEntry[]
}

/** One participant's stay with its meeting, for exports. */
export interface SessionRow extends Participant {
  roomId: string
  roomTitle: string
  meetingStartedAt: number
  meetingEndedAt: number | null
}

export interface PurgeCounts {
  meetings: number
  participants: number
  chat: number
  usageDays: number
}

/** What one retention run deleted: the history, and the e-mail invitations of the same period. */
export interface RetentionCounts extends PurgeCounts {
  invitations: number
}

/** A time range [from, to) in Unix milliseconds. */
export interface TimeRange {
  from: number
  to: number
}

type MeetingRow = Selectable<MeetingsTable> & { participants: number }
type ParticipantRow = Selectable<MeetingParticipantsTable>
type SessionDbRow = ParticipantRow & { room_id: string; room_title: string; meeting_started_at: number; meeting_ended_at: number | null }
type ChatRow = Pick<Selectable<MeetingChatTable>, 'meeting_id' | 'participant_id' | 'sender_name' | 'text' | 'sent_at'>

const toSummary = (r: MeetingRow): MeetingSummary => ({
  id: r.id as MeetingId,
  roomId: r.room_id,
  roomTitle: r.room_title,
  startedAt: r.started_at,
  endedAt: r.ended_at,
  participants: r.participants,
})

const toParticipant = (r: ParticipantRow): Participant => ({
  id: r.id as ParticipantId,
  meetingId: r.meeting_id as MeetingId,
  userId: r.user_id,
  displayName: r.display_name,
  kind: r.kind,
  joinedAt: r.joined_at,
  leftAt: r.left_at,
  userAgent: r.user_agent,
  browser: r.browser,
  os: r.os,
  ip: r.ip,
  viaProxy: r.via_proxy === 1,
  forwardedFor: r.forwarded_for,
  quality: toQuality(r),
})

// The server's limits are written with every summary, so they say whether there is one.
const toQuality = (r: ParticipantRow): StayQuality | null =>
  r.video_lowered_ms === null || r.audio_only_ms === null
    ? null
    : {
        goodMs: r.quality_good_ms,
        fairMs: r.quality_fair_ms,
        poorMs: r.quality_poor_ms,
        videoLoweredMs: r.video_lowered_ms,
        audioOnlyMs: r.audio_only_ms,
      }

const toSession = (r: SessionDbRow): SessionRow => ({
  ...toParticipant(r),
  roomId: r.room_id,
  roomTitle: r.room_title,
  meetingStartedAt: r.meeting_started_at,
  meetingEndedAt: r.meeting_ended_at,
})

const toChat = (r: ChatRow): ChatEntry => ({
  meetingId: r.meeting_id as MeetingId,
  participantId: r.participant_id as ParticipantId | null,
  senderName: r.sender_name,
  text: r.text,
  sentAt: r.sent_at,
})

/** utcDay: 'YYYY-MM-DD' of the UTC day `ms` falls in. */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10)

// A person counts once per meeting: by account, or for guests by the name they gave.
const PEOPLE = sql<number>`(SELECT COUNT(DISTINCT COALESCE('u:' || p.user_id, 'g:' || p.display_name)) FROM meeting_participants p WHERE p.meeting_id = m.id)`

export function createMeetingHistoryRepository({ db, engine }: DataLayer) {
  // The larger of its arguments: SQLite's scalar MAX, PostgreSQL's GREATEST.
  const greatest = sql.raw(engine === 'postgres' ? 'GREATEST' : 'MAX')
  const withPeople = () => db.selectFrom('meetings as m').selectAll('m').select(PEOPLE.as('participants'))
  return {
    /** startMeeting records a meeting that starts now and returns its id. */
    async startMeeting(m: NewMeeting): Promise<MeetingId> {
      const { id } = await db
        .insertInto('meetings')
        .values({ room_id: m.roomId, room_title: m.roomTitle, started_at: m.startedAt, ended_at: null })
        .returning('id')
        .executeTakeFirstOrThrow()
      return id as MeetingId
    },

    /**
     * endMeeting ends a running meeting and every stay still open in it, at `endedAt`. Stays first:
     * a stop between the two leaves a running meeting, which endDangling ends at the next start.
     */
    async endMeeting(id: MeetingId, endedAt: number): Promise<void> {
      await db.updateTable('meeting_participants').set({ left_at: endedAt }).where('meeting_id', '=', id).where('left_at', 'is', null).execute()
      await db.updateTable('meetings').set({ ended_at: endedAt }).where('id', '=', id).where('ended_at', 'is', null).execute()
    },

    /** addParticipant records someone entering a meeting and returns the stay's id. */
    async addParticipant(p: NewParticipant): Promise<ParticipantId> {
      const { id } = await db
        .insertInto('meeting_participants')
        .values({
          meeting_id: p.meetingId,
          user_id: p.userId,
          display_name: p.displayName,
          kind: p.kind,
          joined_at: p.joinedAt,
          left_at: null,
          user_agent: p.userAgent,
          browser: p.browser,
          os: p.os,
          ip: p.ip,
          via_proxy: p.viaProxy ? 1 : 0,
          forwarded_for: p.forwardedFor,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      return id as ParticipantId
    },

    /** participantLeft closes a stay (once; a later call changes nothing). */
    async participantLeft(id: ParticipantId, leftAt: number): Promise<void> {
      await db.updateTable('meeting_participants').set({ left_at: leftAt }).where('id', '=', id).where('left_at', 'is', null).execute()
    },

    /** recordQuality stores a stay's connection quality (when it ends; a later call replaces it). */
    async recordQuality(id: ParticipantId, q: StayQuality): Promise<void> {
      await db
        .updateTable('meeting_participants')
        .set({
          quality_good_ms: q.goodMs,
          quality_fair_ms: q.fairMs,
          quality_poor_ms: q.poorMs,
          video_lowered_ms: q.videoLoweredMs,
          audio_only_ms: q.audioOnlyMs,
        })
        .where('id', '=', id)
        .execute()
    },

    async addChat(c: NewChatMessage): Promise<void> {
      await db
        .insertInto('meeting_chat')
        .values({ meeting_id: c.meetingId, participant_id: c.participantId, sender_name: c.senderName, text: c.text, sent_at: c.sentAt })
        .execute()
    },

    /** raisePeaks stores the day's peaks where these levels exceed them; never lowers one. */
    async raisePeaks(day: string, rooms: number, participants: number, largestMeeting: number): Promise<void> {
      await db
        .insertInto('usage_peaks')
        .values({ day, peak_rooms: rooms, peak_participants: participants, peak_meeting_participants: largestMeeting })
        .onConflict((oc) =>
          oc.column('day').doUpdateSet({
            peak_rooms: sql<number>`${greatest}(usage_peaks.peak_rooms, excluded.peak_rooms)`,
            peak_participants: sql<number>`${greatest}(usage_peaks.peak_participants, excluded.peak_participants)`,
            peak_meeting_participants: sql<number>`${greatest}(usage_peaks.peak_meeting_participants, excluded.peak_meeting_participants)`,
          }),
        )
        .execute()
    },

    /**
     * endDangling ends meetings a stopped server left running, at their last recorded activity (their
     * stays with them). Call only at start, before anything records; returns how many it ended.
     */
    async endDangling(): Promise<number> {
      const { numUpdatedRows } = await db
        .updateTable('meetings')
        .set({
          ended_at: sql<number>`${greatest}(started_at,
            COALESCE((SELECT MAX(${greatest}(p.joined_at, COALESCE(p.left_at, 0))) FROM meeting_participants p WHERE p.meeting_id = meetings.id), 0),
            COALESCE((SELECT MAX(c.sent_at) FROM meeting_chat c WHERE c.meeting_id = meetings.id), 0))`,
        })
        .where('ended_at', 'is', null)
        .executeTakeFirst()
      const ended = Number(numUpdatedRows)
      if (ended > 0) {
        await db
          .updateTable('meeting_participants')
          .set({ left_at: sql<number>`(SELECT m.ended_at FROM meetings m WHERE m.id = meeting_participants.meeting_id)` })
          .where('left_at', 'is', null)
          .where('meeting_id', 'in', db.selectFrom('meetings').select('id').where('ended_at', 'is not', null))
          .execute()
      }
      return ended
    },

    /** list returns meetings started in `range`, newest first, `limit` at a time (before: an id from `next`). */
    async list(range: TimeRange, options: { before?: number; limit?: number } = {}): Promise<{ meetings: MeetingSummary[]; next: MeetingId | null }> {
      const limit = Math.min(Math.max(options.limit ?? 50, 1), 500)
      // Ids grow with start time (the recorder inserts as meetings start), so id order is start order.
      const rows = await withPeople()
        .where('m.started_at', '>=', range.from)
        .where('m.started_at', '<', range.to)
        .where('m.id', '<', options.before ?? Number.MAX_SAFE_INTEGER)
        .orderBy('m.id', 'desc')
        .limit(limit)
        .execute()
      const meetings = rows.map(toSummary)
      return { meetings, next: meetings.length === limit ? meetings.at(-1)!.id : null }
    },

    /** get returns a meeting with every stay and its chat, or undefined. */
    async get(id: number): Promise<MeetingDetail | undefined> {
      const row = await withPeople().where('m.id', '=', id).executeTakeFirst()
      if (!row) return undefined
      const [participants, chat] = await Promise.all([
        db.selectFrom('meeting_participants').selectAll().where('meeting_id', '=', id).orderBy('joined_at').orderBy('id').execute(),
        db.selectFrom('meeting_chat').selectAll().where('meeting_id', '=', id).orderBy('sent_at').orderBy('id').execute(),
      ])
      return { ...toSummary(row), participantList: participants.map(toParticipant), chat: chat.map(toChat) }
    },

    /** sessions returns every stay in meetings started in `range`, in start order (for exports). */
    async sessions(range: TimeRange): Promise<SessionRow[]> {
      const rows = await db
        .selectFrom('meetings as m')
        .innerJoin('meeting_participants as p', 'p.meeting_id', 'm.id')
        .selectAll('p')
        .select(['m.room_id', 'm.room_title', 'm.started_at as meeting_started_at', 'm.ended_at as meeting_ended_at'])
        .where('m.started_at', '>=', range.from)
        .where('m.started_at', '<', range.to)
        .orderBy('m.started_at')
        .orderBy('m.id')
        .orderBy('p.joined_at')
        .orderBy('p.id')
        .execute()
      return rows.map(toSession)
    },

    /** chat returns the chat of meetings started in `range`, in order (for exports). */
    async chat(range: TimeRange): Promise<ChatEntry[]> {
      const rows = await db
        .selectFrom('meetings as m')
        .innerJoin('meeting_chat as c', 'c.meeting_id', 'm.id')
        .selectAll('c')
        .where('m.started_at', '>=', range.from)
        .where('m.started_at', '<', range.to)
        .orderBy('m.started_at')
        .orderBy('m.id')
        .orderBy('c.sent_at')
        .orderBy('c.id')
        .execute()
      return rows.map(toChat)
    },

    /**
     * anonymiseUser replaces a deleted account's name with `label` in its stays and chat, and forgets
     * where it connected from (user agent, browser, OS, addresses). Meetings and times stay.
     */
    async anonymiseUser(userId: string, label: string): Promise<void> {
      await db
        .updateTable('meeting_chat')
        .set({ sender_name: label })
        .where('participant_id', 'in', db.selectFrom('meeting_participants').select('id').where('user_id', '=', userId))
        .execute()
      await db
        .updateTable('meeting_participants')
        .set({ display_name: label, user_agent: null, browser: null, os: null, ip: null, forwarded_for: null })
        .where('user_id', '=', userId)
        .execute()
    },

    /**
     * purgeBefore deletes meetings that ended before `cutoff` (ms) with their stays and chat, and the
     * peaks of days before cutoff's UTC day. Running meetings stay. Returns what it deleted.
     */
    async purgeBefore(cutoff: number): Promise<PurgeCounts> {
      const expired = db.selectFrom('meetings').select('id').where('ended_at', '<', cutoff)
      // Counted before deleting: what ended before cutoff stays ended, so counts and deletion agree.
      const counts = await db
        .selectNoFrom((e) => [
          e.selectFrom('meetings').select((c) => c.fn.countAll<number>().as('n')).where('ended_at', '<', cutoff).as('meetings'),
          e.selectFrom('meeting_participants').select((c) => c.fn.countAll<number>().as('n')).where('meeting_id', 'in', expired).as('participants'),
          e.selectFrom('meeting_chat').select((c) => c.fn.countAll<number>().as('n')).where('meeting_id', 'in', expired).as('chat'),
        ])
        .executeTakeFirstOrThrow()
      await db.deleteFrom('meetings').where('ended_at', '<', cutoff).execute()
      const { numDeletedRows } = await db.deleteFrom('usage_peaks').where('day', '<', utcDay(cutoff)).executeTakeFirst()
      return { meetings: Number(counts.meetings), participants: Number(counts.participants), chat: Number(counts.chat), usageDays: Number(numDeletedRows) }
    },
  }
}

export type MeetingHistoryRepository = ReturnType<typeof createMeetingHistoryRepository>
