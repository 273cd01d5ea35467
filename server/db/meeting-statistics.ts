// Usage statistics from the meeting history, per UTC day: meetings started, participant-minutes, and
// the peak simultaneous load the recorder stored. Read-only.
import type { Db } from './database.ts'
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

interface PeakRow {
  day: string
  peak_rooms: number
  peak_participants: number
  peak_meeting_participants: number
}

export function createMeetingStatistics(db: Db) {
  const startsPerDay = db.prepare<[number, number], { day: string; n: number }>(
    `SELECT strftime('%Y-%m-%d', started_at / 1000, 'unixepoch') AS day, COUNT(*) AS n
     FROM meetings WHERE started_at >= ? AND started_at < ? GROUP BY day`,
  )
  const stays = db.prepare<[number, number], { joined_at: number; left_at: number | null }>(
    'SELECT joined_at, left_at FROM meeting_participants WHERE joined_at < ? AND (left_at IS NULL OR left_at > ?)',
  )
  const peaks = db.prepare<[string, string], PeakRow>('SELECT * FROM usage_peaks WHERE day >= ? AND day < ?')

  return {
    /**
     * perDay returns one entry per UTC day of `range` (whole days: from and to must be UTC midnights),
     * oldest first. Stays still open count up to `now`.
     */
    perDay(range: TimeRange, now = Date.now()): DayStatistics[] {
      const days = new Map<string, DayStatistics>()
      for (let at = range.from; at < range.to; at += DAY_MS) {
        const day = utcDay(at)
        days.set(day, { day, meetings: 0, participantMinutes: 0, peakRooms: 0, peakParticipants: 0, peakMeetingParticipants: 0 })
      }
      for (const { day, n } of startsPerDay.all(range.from, range.to)) {
        const entry = days.get(day)
        if (entry) entry.meetings = n
      }
      const ms = new Map<string, number>()
      for (const s of stays.all(range.to, range.from)) {
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
      for (const p of peaks.all(utcDay(range.from), utcDay(range.to))) {
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
