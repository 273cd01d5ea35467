// Per-day statistics from the meeting history, on both engines: meetings started per UTC day,
// participant-minutes split at midnight and clipped to the range, and the stored peaks.
import t from 'tap'
import type { DataLayer } from '../../../server/db/engine.ts'
import { createMeetingStatistics, DAY_MS } from '../../../server/db/meeting-statistics.ts'
import { eachEngine } from '../../engines.ts'

const MIN = 60_000
const HOUR = 60 * MIN
/** A fixed UTC midnight: 2026-03-10. */
const DAY0 = Date.UTC(2026, 2, 10)

/** meeting writes a meeting and its stays ([joined, left or null]) the way the recorder leaves them. */
async function meeting({ db }: DataLayer, startedAt: number, endedAt: number | null, stays: [number, number | null][]): Promise<void> {
  const { id } = await db
    .insertInto('meetings')
    .values({ room_id: 'r', room_title: 'R', started_at: startedAt, ended_at: endedAt })
    .returning('id')
    .executeTakeFirstOrThrow()
  for (const [joined, left] of stays) {
    await db
      .insertInto('meeting_participants')
      .values({ meeting_id: id, user_id: null, display_name: 'Гость', kind: 'guest', joined_at: joined, left_at: left, user_agent: null, browser: null, os: null, ip: null, forwarded_for: null })
      .execute()
  }
}

eachEngine(t, 'meetings, participant-minutes split at midnight, and stored peaks per UTC day', async (t, layer) => {
  // Day 0: a 30-minute meeting of two people (one leaves after 10 minutes).
  await meeting(layer, DAY0 + 9 * HOUR, DAY0 + 9 * HOUR + 30 * MIN, [
    [DAY0 + 9 * HOUR, DAY0 + 9 * HOUR + 30 * MIN],
    [DAY0 + 9 * HOUR, DAY0 + 9 * HOUR + 10 * MIN],
  ])
  // From 23:00 on day 0 to 01:30 on day 1: 60 minutes on day 0, 90 on day 1.
  await meeting(layer, DAY0 + 23 * HOUR, DAY0 + DAY_MS + 90 * MIN, [[DAY0 + 23 * HOUR, DAY0 + DAY_MS + 90 * MIN]])
  // Day 2: still running at "now" (day 2, 12:00), joined at 11:00.
  await meeting(layer, DAY0 + 2 * DAY_MS + 11 * HOUR, null, [[DAY0 + 2 * DAY_MS + 11 * HOUR, null]])
  // Outside the range: the day before.
  await meeting(layer, DAY0 - HOUR, DAY0 - 30 * MIN, [[DAY0 - HOUR, DAY0 - 30 * MIN]])
  await layer.db
    .insertInto('usage_peaks')
    .values([
      { day: '2026-03-09', peak_rooms: 9, peak_participants: 9, peak_meeting_participants: 9 },
      { day: '2026-03-10', peak_rooms: 1, peak_participants: 2, peak_meeting_participants: 2 },
      { day: '2026-03-11', peak_rooms: 1, peak_participants: 1, peak_meeting_participants: 1 },
    ])
    .execute()

  const stats = createMeetingStatistics(layer)
  const now = DAY0 + 2 * DAY_MS + 12 * HOUR
  t.same(await stats.perDay({ from: DAY0, to: DAY0 + 3 * DAY_MS }, now), [
    { day: '2026-03-10', meetings: 2, participantMinutes: 30 + 10 + 60, peakRooms: 1, peakParticipants: 2, peakMeetingParticipants: 2 },
    { day: '2026-03-11', meetings: 0, participantMinutes: 90, peakRooms: 1, peakParticipants: 1, peakMeetingParticipants: 1 },
    { day: '2026-03-12', meetings: 1, participantMinutes: 60, peakRooms: 0, peakParticipants: 0, peakMeetingParticipants: 0 },
  ])
  const one = await stats.perDay({ from: DAY0 + DAY_MS, to: DAY0 + 2 * DAY_MS }, now)
  t.same(one.map((d) => [d.day, d.meetings, d.participantMinutes]), [['2026-03-11', 0, 90]], 'a range clips stays at its edges')
  t.same(await stats.perDay({ from: DAY0 + 10 * DAY_MS, to: DAY0 + 11 * DAY_MS }, now), [
    { day: '2026-03-20', meetings: 0, participantMinutes: 0, peakRooms: 0, peakParticipants: 0, peakMeetingParticipants: 0 },
  ], 'a day without meetings is there, with zeros')
})
