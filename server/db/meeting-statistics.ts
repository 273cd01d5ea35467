// Usage statistics from the meeting history, per UTC day: meetings started, participant-minutes, and
// the peak simultaneous load the recorder stored. Read-only. On Kysely (server/db/engine.ts): the
// same queries on SQLite and PostgreSQL.
import { sql } from 'kysely'
import type { DataLayer } from './engine.ts'
import { utcDay, type TimeRange } from './meeting-history-repository.ts'

export const DAY_MS = 24 * 60 * 60 * 1000

export interface DayStatistics {
  /** 'YYYY-MM-DD', a UTC day. */
  day: string
  /** Meetings that started this day. */
  meetings: number
  /** Minutes people spent in meetings this day (a stay across midnight counts on both days). */
  participantMinutes: number
  /** Most meetings running at once. */
  peakRooms: number
  /** Most people in meetings at once, over all meetings. */
  peakParticipants: number
  /** Most people at once in a single meeting. */
  peakMeetingParticipants: number
}

// The UTC day a time falls in, as days since 1970: integer division on both engines (a literal, so
// SQLite does not divide by a bound REAL), and no date function, whose names differ.
const startDay = sql<number>`started_at / ${sql.lit(DAY_MS)}`

export function createMeetingStatistics({ db }: DataLayer) {
  return {
    /**
     * perDay returns one entry per UTC day of `range` (whole days: from and to must be UTC midnights),
     * oldest first. Stays still open count up to `now`.
     */
    async perDay(range: TimeRange, now = Date.now()): Promise<DayStatistics[]> {
      const days = new Map<string, DayStatistics>()
      for (let at = range.from; at < range.to; at += DAY_MS) {
        const day = utcDay(at)
        days.set(day, { day, meetings: 0, participantMinutes: 0, peakRooms: 0, peakParticipants: 0, peakMeetingParticipants: 0 })
      }
      const [starts, stays, peaks] = await Promise.all([
        db
          .selectFrom('meetings')
          .select([startDay.as('d'), (e) => e.fn.countAll<number>().as('n')])
          .where('started_at', '>=', range.from)
          .where('started_at', '<', range.to)
          .groupBy(startDay)
          .execute(),
        db
          .selectFrom('meeting_participants')
          .select(['joined_at', 'left_at'])
          .where('joined_at', '<', range.to)
          .where((e) => e.or([e('left_at', 'is', null), e('left_at', '>', range.from)]))
          .execute(),
        db.selectFrom('usage_peaks').selectAll().where('day', '>=', utcDay(range.from)).where('day', '<', utcDay(range.to)).execute(),
      ])
      for (const { d, n } of starts) {
        const entry = days.get(utcDay(d * DAY_MS))
        if (entry) entry.meetings = n
      }
      const ms = new Map<string, number>()
      for (const s of stays) {
        // Split each stay at UTC midnights, inside the range only.
        let start = Math.max(s.joined_at, range.from)
        const end = Math.min(s.left_at ?? now, range.to)
        while (start < end) {
          const midnight = Math.floor(start / DAY_MS) * DAY_MS + DAY_MS
          const stop = Math.min(end, midnight)
          const day = utcDay(start)
          ms.set(day, (ms.get(day) ?? 0) + (stop - start))
          start = stop
        }
      }
      for (const [day, total] of ms) {
        const entry = days.get(day)
        if (entry) entry.participantMinutes = Math.round(total / 60_000)
      }
      for (const p of peaks) {
        const entry = days.get(p.day)
        if (!entry) continue
        entry.peakRooms = p.peak_rooms
        entry.peakParticipants = p.peak_participants
        entry.peakMeetingParticipants = p.peak_meeting_participants
      }
      return [...days.values()]
    },
  }
}

export type MeetingStatistics = ReturnType<typeof createMeetingStatistics>
