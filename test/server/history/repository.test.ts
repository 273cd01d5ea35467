// The meeting history tables on both engines: anonymising a deleted account, retention, meetings a
// stopped server left running, paging, and per-day statistics from what the repository wrote.
import t from 'tap'
import { createMeetingHistoryRepository, type MeetingId, type NewParticipant } from '../../../server/db/meeting-history-repository.ts'
import { createMeetingStatistics, DAY_MS } from '../../../server/db/meeting-statistics.ts'
import { eachEngine } from '../../engines.ts'

const MIN = 60_000
const HOUR = 60 * MIN
/** A fixed UTC midnight: 2026-03-10. */
const DAY0 = Date.UTC(2026, 2, 10)

const stay = (meetingId: MeetingId, over: Partial<NewParticipant>): NewParticipant => ({
  meetingId,
  userId: null,
  displayName: 'Гость',
  kind: 'guest',
  joinedAt: DAY0,
  userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0',
  browser: 'Firefox 127',
  os: 'Windows',
  ip: '10.1.2.3',
  viaProxy: true,
  forwardedFor: '10.1.2.3',
  ...over,
})

eachEngine(t, 'anonymiseUser replaces the name and forgets client details of that account only', async (t, layer) => {
  const repo = createMeetingHistoryRepository(layer)
  const m = await repo.startMeeting({ roomId: 'r1', roomTitle: 'Планёрка', startedAt: DAY0 })
  const anna = await repo.addParticipant(stay(m, { userId: 'u-anna', displayName: 'Анна Петрова', kind: 'internal' }))
  const guest = await repo.addParticipant(stay(m, { displayName: 'Гость Иван', ip: '10.9.9.9' }))
  await repo.addChat({ meetingId: m, participantId: anna, senderName: 'Анна Петрова', text: 'Привет', sentAt: DAY0 + MIN })
  await repo.addChat({ meetingId: m, participantId: guest, senderName: 'Гость Иван', text: 'Здравствуйте', sentAt: DAY0 + 2 * MIN })
  await repo.participantLeft(anna, DAY0 + HOUR)
  await repo.endMeeting(m, DAY0 + HOUR)

  await repo.anonymiseUser('u-anna', 'deleted user #u-anna')
  const detail = (await repo.get(m))!
  const [a, g] = detail.participantList
  t.match(a, {
    userId: 'u-anna',
    displayName: 'deleted user #u-anna',
    kind: 'internal',
    userAgent: null,
    browser: null,
    os: null,
    ip: null,
    forwardedFor: null,
    joinedAt: DAY0,
    leftAt: DAY0 + HOUR,
  })
  t.match(g, { displayName: 'Гость Иван', ip: '10.9.9.9', browser: 'Firefox 127', userAgent: /Firefox/ }, 'other people are untouched')
  t.same(
    detail.chat.map((c) => [c.senderName, c.text]),
    [['deleted user #u-anna', 'Привет'], ['Гость Иван', 'Здравствуйте']],
  )
  t.equal(detail.participants, 2, 'the anonymised person still counts once')
})

eachEngine(t, 'purgeBefore deletes meetings that ended before the cutoff, with stays, chat and old peaks', async (t, layer) => {
  const repo = createMeetingHistoryRepository(layer)
  const old = await repo.startMeeting({ roomId: 'r1', roomTitle: 'Old', startedAt: DAY0 - 400 * DAY_MS })
  const p = await repo.addParticipant(stay(old, { joinedAt: DAY0 - 400 * DAY_MS }))
  await repo.addChat({ meetingId: old, participantId: p, senderName: 'Гость', text: 'old', sentAt: DAY0 - 400 * DAY_MS })
  await repo.endMeeting(old, DAY0 - 400 * DAY_MS + HOUR)
  // Started long ago and still running (a permanent room): kept.
  const running = await repo.startMeeting({ roomId: 'r2', roomTitle: 'Always on', startedAt: DAY0 - 400 * DAY_MS })
  await repo.addParticipant(stay(running, { joinedAt: DAY0 - 400 * DAY_MS }))
  const recent = await repo.startMeeting({ roomId: 'r3', roomTitle: 'Recent', startedAt: DAY0 - 10 * DAY_MS })
  const q = await repo.addParticipant(stay(recent, { joinedAt: DAY0 - 10 * DAY_MS }))
  await repo.addChat({ meetingId: recent, participantId: q, senderName: 'Гость', text: 'recent', sentAt: DAY0 - 10 * DAY_MS })
  await repo.endMeeting(recent, DAY0 - 10 * DAY_MS + HOUR)
  await repo.raisePeaks('2025-02-01', 1, 1, 1)
  await repo.raisePeaks('2026-02-28', 2, 3, 2)

  const counts = await repo.purgeBefore(DAY0 - 365 * DAY_MS)
  t.same(counts, { meetings: 1, participants: 1, chat: 1, usageDays: 1 })
  const { db } = layer
  t.same((await db.selectFrom('meetings').select('room_title').orderBy('id').execute()).map((r) => r.room_title), ['Always on', 'Recent'])
  t.equal((await db.selectFrom('meeting_participants').select('id').execute()).length, 2)
  t.same((await db.selectFrom('meeting_chat').select('text').execute()).map((r) => r.text), ['recent'])
  t.same((await db.selectFrom('usage_peaks').select('day').execute()).map((r) => r.day), ['2026-02-28'])
  t.same(await repo.purgeBefore(DAY0 - 365 * DAY_MS), { meetings: 0, participants: 0, chat: 0, usageDays: 0 }, 'a second run finds nothing')
})

eachEngine(t, 'endDangling ends meetings a stopped server left running at their last activity', async (t, layer) => {
  const repo = createMeetingHistoryRepository(layer)
  const m = await repo.startMeeting({ roomId: 'r1', roomTitle: 'Crashed', startedAt: DAY0 })
  const a = await repo.addParticipant(stay(m, { joinedAt: DAY0 }))
  await repo.addParticipant(stay(m, { joinedAt: DAY0 + 5 * MIN }))
  await repo.participantLeft(a, DAY0 + 10 * MIN)
  await repo.addChat({ meetingId: m, participantId: a, senderName: 'Гость', text: 'last words', sentAt: DAY0 + 7 * MIN })
  t.equal(await repo.endDangling(), 1)
  const detail = (await repo.get(m))!
  t.equal(detail.endedAt, DAY0 + 10 * MIN)
  t.same(detail.participantList.map((p) => p.leftAt), [DAY0 + 10 * MIN, DAY0 + 10 * MIN])
  t.equal(await repo.endDangling(), 0)
})

eachEngine(t, 'list pages newest first within a range', async (t, layer) => {
  const repo = createMeetingHistoryRepository(layer)
  for (let i = 0; i < 5; i++) {
    const m = await repo.startMeeting({ roomId: 'r', roomTitle: `M${i}`, startedAt: DAY0 + i * HOUR })
    await repo.addParticipant(stay(m, { joinedAt: DAY0 + i * HOUR, displayName: 'A' }))
    await repo.addParticipant(stay(m, { joinedAt: DAY0 + i * HOUR, displayName: 'A' }))
    await repo.addParticipant(stay(m, { joinedAt: DAY0 + i * HOUR, displayName: 'B' }))
  }
  const range = { from: DAY0 + HOUR, to: DAY0 + 5 * HOUR }
  const first = await repo.list(range, { limit: 3 })
  t.same(first.meetings.map((m) => m.roomTitle), ['M4', 'M3', 'M2'])
  t.equal(first.meetings[0]!.participants, 2, 'a person who came back counts once')
  t.ok(first.next)
  const second = await repo.list(range, { limit: 3, before: first.next! })
  t.same(second.meetings.map((m) => m.roomTitle), ['M1'])
  t.equal(second.next, null)
})

eachEngine(t, 'statistics: meetings, participant-minutes split at midnight, and stored peaks per UTC day', async (t, layer) => {
  const repo = createMeetingHistoryRepository(layer)
  const stats = createMeetingStatistics(layer)
  // Day 0: a 30-minute meeting of two people (one leaves after 10 minutes).
  const a = await repo.startMeeting({ roomId: 'r1', roomTitle: 'A', startedAt: DAY0 + 9 * HOUR })
  const a1 = await repo.addParticipant(stay(a, { joinedAt: DAY0 + 9 * HOUR }))
  const a2 = await repo.addParticipant(stay(a, { joinedAt: DAY0 + 9 * HOUR }))
  await repo.participantLeft(a2, DAY0 + 9 * HOUR + 10 * MIN)
  await repo.participantLeft(a1, DAY0 + 9 * HOUR + 30 * MIN)
  await repo.endMeeting(a, DAY0 + 9 * HOUR + 30 * MIN)
  // From 23:00 on day 0 to 01:30 on day 1: 60 minutes on day 0, 90 on day 1.
  const b = await repo.startMeeting({ roomId: 'r2', roomTitle: 'B', startedAt: DAY0 + 23 * HOUR })
  const b1 = await repo.addParticipant(stay(b, { joinedAt: DAY0 + 23 * HOUR }))
  await repo.participantLeft(b1, DAY0 + DAY_MS + 90 * MIN)
  await repo.endMeeting(b, DAY0 + DAY_MS + 90 * MIN)
  // Day 2: still running at "now" (day 2, 12:00), joined at 11:00.
  const c = await repo.startMeeting({ roomId: 'r3', roomTitle: 'C', startedAt: DAY0 + 2 * DAY_MS + 11 * HOUR })
  await repo.addParticipant(stay(c, { joinedAt: DAY0 + 2 * DAY_MS + 11 * HOUR }))
  await repo.raisePeaks('2026-03-10', 1, 2, 2)
  await repo.raisePeaks('2026-03-10', 1, 1, 1)
  await repo.raisePeaks('2026-03-11', 1, 1, 1)

  const days = await stats.perDay({ from: DAY0, to: DAY0 + 3 * DAY_MS }, DAY0 + 2 * DAY_MS + 12 * HOUR)
  t.same(days, [
    { day: '2026-03-10', meetings: 2, participantMinutes: 30 + 10 + 60, peakRooms: 1, peakParticipants: 2, peakMeetingParticipants: 2 },
    { day: '2026-03-11', meetings: 0, participantMinutes: 90, peakRooms: 1, peakParticipants: 1, peakMeetingParticipants: 1 },
    { day: '2026-03-12', meetings: 1, participantMinutes: 60, peakRooms: 0, peakParticipants: 0, peakMeetingParticipants: 0 },
  ])
  const one = await stats.perDay({ from: DAY0 + DAY_MS, to: DAY0 + 2 * DAY_MS }, DAY0 + 2 * DAY_MS + 12 * HOUR)
  t.same(one.map((d) => [d.day, d.participantMinutes]), [['2026-03-11', 90]], 'a range clips stays at its edges')
})

eachEngine(t, 'recordQuality stores a stay connection quality; stays without one read null', async (t, layer) => {
  const repo = createMeetingHistoryRepository(layer)
  const m = await repo.startMeeting({ roomId: 'r1', roomTitle: 'Качество', startedAt: DAY0 })
  const reported = await repo.addParticipant(stay(m, { displayName: 'Анна' }))
  const silent = await repo.addParticipant(stay(m, { displayName: 'Иван' }))
  const running = await repo.addParticipant(stay(m, { displayName: 'Пётр' }))
  // Past 32 bits, as a long stay's milliseconds may be on PostgreSQL's BIGINT.
  await repo.recordQuality(reported, { goodMs: 5_000_000_000, fairMs: 12_000, poorMs: 4_000, videoLoweredMs: 9_000, audioOnlyMs: 3_000 })
  await repo.recordQuality(silent, { goodMs: null, fairMs: null, poorMs: null, videoLoweredMs: 0, audioOnlyMs: 0 })
  await repo.participantLeft(reported, DAY0 + HOUR)
  await repo.participantLeft(silent, DAY0 + HOUR)

  const byName = new Map((await repo.get(m))!.participantList.map((p) => [p.displayName, p]))
  t.same(byName.get('Анна')!.quality, { goodMs: 5_000_000_000, fairMs: 12_000, poorMs: 4_000, videoLoweredMs: 9_000, audioOnlyMs: 3_000 })
  t.same(byName.get('Иван')!.quality, { goodMs: null, fairMs: null, poorMs: null, videoLoweredMs: 0, audioOnlyMs: 0 }, 'no browser report: levels null, limits kept')
  t.equal(byName.get('Пётр')!.quality, null, 'a running stay has none yet')
  t.equal((await repo.sessions({ from: DAY0, to: DAY0 + 2 * HOUR })).find((s) => s.id === running)!.quality, null)

  await repo.recordQuality(reported, { goodMs: 1, fairMs: 2, poorMs: 3, videoLoweredMs: 4, audioOnlyMs: 5 })
  t.match((await repo.get(m))!.participantList.find((p) => p.id === reported)!.quality, { goodMs: 1, audioOnlyMs: 5 }, 'a later call replaces it')
})
