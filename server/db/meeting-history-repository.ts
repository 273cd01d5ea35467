// Owns the meeting history tables: meetings, their participants' stays and chat, and each day's peak
// load. The recorder (server/history/) writes; the owner's history pages and exports read; retention
// and account deletion remove or anonymise.
import type { Db } from './database.ts'

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

interface MeetingRow {
  id: number
  room_id: string
  room_title: string
  started_at: number
  ended_at: number | null
  participants: number
}

interface ParticipantRow {
  id: number
  meeting_id: number
  user_id: string | null
  display_name: string
  kind: ParticipantKind
  joined_at: number
  left_at: number | null
  user_agent: string | null
  browser: string | null
  os: string | null
  ip: string | null
  via_proxy: number
  forwarded_for: string | null
}

interface SessionDbRow extends ParticipantRow {
  room_id: string
  room_title: string
  meeting_started_at: number
  meeting_ended_at: number | null
}

interface ChatRow {
  meeting_id: number
  participant_id: number | null
  sender_name: string
  text: string
  sent_at: number
}

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
})

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
const PEOPLE = "(SELECT COUNT(DISTINCT COALESCE('u:' || p.user_id, 'g:' || p.display_name)) FROM meeting_participants p WHERE p.meeting_id = m.id)"

export function createMeetingHistoryRepository(db: Db) {
  const insertMeeting = db.prepare<[string, string, number]>('INSERT INTO meetings (room_id, room_title, started_at) VALUES (?, ?, ?)')
  const endMeeting = db.prepare<[number, number]>('UPDATE meetings SET ended_at = ? WHERE id = ? AND ended_at IS NULL')
  const endStays = db.prepare<[number, number]>('UPDATE meeting_participants SET left_at = ? WHERE meeting_id = ? AND left_at IS NULL')
  const insertParticipant = db.prepare(
    `INSERT INTO meeting_participants
       (meeting_id, user_id, display_name, kind, joined_at, user_agent, browser, os, ip, via_proxy, forwarded_for)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const leave = db.prepare<[number, number]>('UPDATE meeting_participants SET left_at = ? WHERE id = ? AND left_at IS NULL')
  const insertChat = db.prepare('INSERT INTO meeting_chat (meeting_id, participant_id, sender_name, text, sent_at) VALUES (?, ?, ?, ?, ?)')
  const raisePeaks = db.prepare<[string, number, number, number]>(
    `INSERT INTO usage_peaks (day, peak_rooms, peak_participants, peak_meeting_participants) VALUES (?, ?, ?, ?)
     ON CONFLICT (day) DO UPDATE SET
       peak_rooms = MAX(peak_rooms, excluded.peak_rooms),
       peak_participants = MAX(peak_participants, excluded.peak_participants),
       peak_meeting_participants = MAX(peak_meeting_participants, excluded.peak_meeting_participants)`,
  )
  // A meeting left open by a server that stopped without closing it ends at its last sign of life.
  const endDangling = db.prepare<[]>(
    `UPDATE meetings SET ended_at = MAX(started_at,
       COALESCE((SELECT MAX(MAX(p.joined_at, COALESCE(p.left_at, 0))) FROM meeting_participants p WHERE p.meeting_id = meetings.id), 0),
       COALESCE((SELECT MAX(c.sent_at) FROM meeting_chat c WHERE c.meeting_id = meetings.id), 0))
     WHERE ended_at IS NULL`,
  )
  const endDanglingStays = db.prepare<[]>(
    `UPDATE meeting_participants SET left_at = (SELECT m.ended_at FROM meetings m WHERE m.id = meeting_id)
     WHERE left_at IS NULL AND meeting_id IN (SELECT id FROM meetings WHERE ended_at IS NOT NULL)`,
  )
  // Ids grow with start time (the recorder inserts as meetings start), so id order is start order.
  const page = db.prepare<[number, number, number, number], MeetingRow>(
    `SELECT m.*, ${PEOPLE} AS participants FROM meetings m
     WHERE m.started_at >= ? AND m.started_at < ? AND m.id < ? ORDER BY m.id DESC LIMIT ?`,
  )
  const byId = db.prepare<[number], MeetingRow>(`SELECT m.*, ${PEOPLE} AS participants FROM meetings m WHERE m.id = ?`)
  const participantsOf = db.prepare<[number], ParticipantRow>('SELECT * FROM meeting_participants WHERE meeting_id = ? ORDER BY joined_at, id')
  const chatOf = db.prepare<[number], ChatRow>('SELECT * FROM meeting_chat WHERE meeting_id = ? ORDER BY sent_at, id')
  const sessionsIn = db.prepare<[number, number], SessionDbRow>(
    `SELECT p.*, m.room_id, m.room_title, m.started_at AS meeting_started_at, m.ended_at AS meeting_ended_at
     FROM meetings m JOIN meeting_participants p ON p.meeting_id = m.id
     WHERE m.started_at >= ? AND m.started_at < ?
     ORDER BY m.started_at, m.id, p.joined_at, p.id`,
  )
  const chatIn = db.prepare<[number, number], ChatRow>(
    `SELECT c.* FROM meetings m JOIN meeting_chat c ON c.meeting_id = m.id
     WHERE m.started_at >= ? AND m.started_at < ?
     ORDER BY m.started_at, m.id, c.sent_at, c.id`,
  )
  const anonymiseStays = db.prepare<[string, string]>(
    `UPDATE meeting_participants SET display_name = ?, user_agent = NULL, browser = NULL, os = NULL, ip = NULL, forwarded_for = NULL
     WHERE user_id = ?`,
  )
  const anonymiseChat = db.prepare<[string, string]>(
    'UPDATE meeting_chat SET sender_name = ? WHERE participant_id IN (SELECT id FROM meeting_participants WHERE user_id = ?)',
  )
  const countExpired = db.prepare<[number, number, number], { meetings: number; participants: number; chat: number }>(
    `SELECT COUNT(*) AS meetings,
       (SELECT COUNT(*) FROM meeting_participants WHERE meeting_id IN (SELECT id FROM meetings WHERE ended_at < ?)) AS participants,
       (SELECT COUNT(*) FROM meeting_chat WHERE meeting_id IN (SELECT id FROM meetings WHERE ended_at < ?)) AS chat
     FROM meetings WHERE ended_at < ?`,
  )
  const deleteExpired = db.prepare<[number]>('DELETE FROM meetings WHERE ended_at < ?')
  const deletePeaks = db.prepare<[string]>('DELETE FROM usage_peaks WHERE day < ?')

  return {
    /** startMeeting records a meeting that starts now and returns its id. */
    startMeeting(m: NewMeeting): MeetingId {
      return Number(insertMeeting.run(m.roomId, m.roomTitle, m.startedAt).lastInsertRowid) as MeetingId
    },

    /** endMeeting ends a running meeting and every stay still open in it, at `endedAt`. */
    endMeeting: db.transaction((id: MeetingId, endedAt: number): void => {
      endStays.run(endedAt, id)
      endMeeting.run(endedAt, id)
    }),

    /** addParticipant records someone entering a meeting and returns the stay's id. */
    addParticipant(p: NewParticipant): ParticipantId {
      const info = insertParticipant.run(
        p.meetingId, p.userId, p.displayName, p.kind, p.joinedAt,
        p.userAgent, p.browser, p.os, p.ip, p.viaProxy ? 1 : 0, p.forwardedFor,
      )
      return Number(info.lastInsertRowid) as ParticipantId
    },

    /** participantLeft closes a stay (once; a later call changes nothing). */
    participantLeft(id: ParticipantId, leftAt: number): void {
      leave.run(leftAt, id)
    },

    addChat(c: NewChatMessage): void {
      insertChat.run(c.meetingId, c.participantId, c.senderName, c.text, c.sentAt)
    },

    /** raisePeaks stores the day's peaks where these levels exceed them; never lowers one. */
    raisePeaks(day: string, rooms: number, participants: number, largestMeeting: number): void {
      raisePeaks.run(day, rooms, participants, largestMeeting)
    },

    /**
     * endDangling ends meetings a stopped server left running, at their last recorded activity.
     * Call only at start, before anything records; returns how many it ended.
     */
    endDangling: db.transaction((): number => {
      const ended = endDangling.run().changes
      if (ended > 0) endDanglingStays.run()
      return ended
    }),

    /** list returns meetings started in `range`, newest first, `limit` at a time (before: an id from `next`). */
    list(range: TimeRange, options: { before?: number; limit?: number } = {}): { meetings: MeetingSummary[]; next: MeetingId | null } {
      const limit = Math.min(Math.max(options.limit ?? 50, 1), 500)
      const meetings = page.all(range.from, range.to, options.before ?? Number.MAX_SAFE_INTEGER, limit).map(toSummary)
      return { meetings, next: meetings.length === limit ? meetings.at(-1)!.id : null }
    },

    /** get returns a meeting with every stay and its chat, or undefined. */
    get(id: number): MeetingDetail | undefined {
      const row = byId.get(id)
      if (!row) return undefined
      return { ...toSummary(row), participantList: participantsOf.all(id).map(toParticipant), chat: chatOf.all(id).map(toChat) }
    },

    /** sessions returns every stay in meetings started in `range`, in start order (for exports). */
    sessions(range: TimeRange): SessionRow[] {
      return sessionsIn.all(range.from, range.to).map(toSession)
    },

    /** chat returns the chat of meetings started in `range`, in order (for exports). */
    chat(range: TimeRange): ChatEntry[] {
      return chatIn.all(range.from, range.to).map(toChat)
    },

    /**
     * anonymiseUser replaces a deleted account's name with `label` in its stays and chat, and forgets
     * where it connected from (user agent, browser, OS, addresses). Meetings and times stay.
     */
    anonymiseUser: db.transaction((userId: string, label: string): void => {
      anonymiseChat.run(label, userId)
      anonymiseStays.run(label, userId)
    }),

    /**
     * purgeBefore deletes meetings that ended before `cutoff` (ms) with their stays and chat, and the
     * peaks of days before cutoff's UTC day. Running meetings stay. Returns what it deleted.
     */
    purgeBefore: db.transaction((cutoff: number): PurgeCounts => {
      const counts = countExpired.get(cutoff, cutoff, cutoff)!
      deleteExpired.run(cutoff)
      const usageDays = deletePeaks.run(utcDay(cutoff)).changes
      return { ...counts, usageDays }
    }),
  }
}

export type MeetingHistoryRepository = ReturnType<typeof createMeetingHistoryRepository>
