// The owner's history API through app.inject: who may read it, the list and detail, exports that are
// safe in a spreadsheet, statistics against the license, refusals of bad ranges, and retention.
import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { utcDay, type MeetingId, type NewParticipant } from '../../../server/db/meeting-history-repository.ts'
import { DAY_MS } from '../../../server/db/meeting-statistics.ts'
import { build, createMember, createOwner, sessionCookie } from '../../helper.ts'

const MIN = 60_000
const HOUR = 60 * MIN
/** UTC midnight ten days ago: inside retention, in the past. */
const DAY0 = Math.floor(Date.now() / DAY_MS) * DAY_MS - 10 * DAY_MS
const D0 = utcDay(DAY0)
const D1 = utcDay(DAY0 + DAY_MS)
const D2 = utcDay(DAY0 + 2 * DAY_MS)

const stay = (meetingId: MeetingId, over: Partial<NewParticipant>): NewParticipant => ({
  meetingId,
  userId: null,
  displayName: 'Гость',
  kind: 'guest',
  joinedAt: DAY0,
  userAgent: null,
  browser: null,
  os: null,
  ip: '10.0.0.5',
  viaProxy: false,
  forwardedFor: null,
  ...over,
})

/** seed: day 0 09:00-09:30 "Планёрка" (an employee and a guest with a hostile name, chat); day 1 14:00-15:00 "Ретро". */
async function seed(app: FastifyInstance): Promise<{ standup: MeetingId; retro: MeetingId }> {
  const repo = app.meetingHistory.repository
  const standup = await repo.startMeeting({ roomId: 'room-1', roomTitle: 'Планёрка, "утро"', startedAt: DAY0 + 9 * HOUR })
  const anna = await repo.addParticipant(
    stay(standup, {
      userId: 'u-anna',
      displayName: 'Анна Петрова',
      kind: 'internal',
      joinedAt: DAY0 + 9 * HOUR,
      userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 YaBrowser/24.6.0.0 Safari/537.36',
      browser: 'Yandex Browser 24',
      os: 'Windows',
      ip: '203.0.113.9',
      viaProxy: true,
      forwardedFor: '203.0.113.9',
    }),
  )
  const guest = await repo.addParticipant(stay(standup, { displayName: '=HYPERLINK("http://evil.example","click")', joinedAt: DAY0 + 9 * HOUR + 5 * MIN }))
  await repo.addChat({ meetingId: standup, participantId: anna, senderName: 'Анна Петрова', text: 'Доброе утро', sentAt: DAY0 + 9 * HOUR + 6 * MIN })
  await repo.addChat({ meetingId: standup, participantId: guest, senderName: '=HYPERLINK("http://evil.example","click")', text: '+1', sentAt: DAY0 + 9 * HOUR + 7 * MIN })
  await repo.participantLeft(guest, DAY0 + 9 * HOUR + 25 * MIN)
  await repo.endMeeting(standup, DAY0 + 9 * HOUR + 30 * MIN)
  await repo.raisePeaks(D0, 1, 2, 2)

  const retro = await repo.startMeeting({ roomId: 'room-2', roomTitle: 'Ретро', startedAt: DAY0 + DAY_MS + 14 * HOUR })
  for (const name of ['-1', '@admin', 'Борис']) await repo.addParticipant(stay(retro, { displayName: name, joinedAt: DAY0 + DAY_MS + 14 * HOUR }))
  await repo.endMeeting(retro, DAY0 + DAY_MS + 15 * HOUR)
  await repo.raisePeaks(D1, 2, 4, 3)
  return { standup, retro }
}

async function setup(t: Test, license = {}) {
  const app = await build(t, { license })
  const owner = await createOwner(app)
  const member = await createMember(app, owner, 'boris@corp.example', 'Борис')
  const made = await app.inject({
    method: 'POST',
    url: '/api/users',
    headers: { cookie: owner },
    payload: { email: 'vera@corp.example', displayName: 'Вера', password: 'admin password 1', role: 'admin' },
  })
  t.equal(made.statusCode, 201)
  const admin = sessionCookie(await app.inject({ method: 'POST', url: '/api/auth/signin', payload: { email: 'vera@corp.example', password: 'admin password 1' } }))
  const get = (url: string, cookie: string | null = owner) => app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} })
  return { app, owner, member, admin, get, ...(await seed(app)) }
}

t.test('only the owner reads history and statistics', async (t) => {
  const s = await setup(t)
  const urls = ['/api/meetings', `/api/meetings/${s.standup}`, '/api/meetings/export.csv', '/api/meetings/export.json', '/api/statistics']
  for (const url of urls) {
    t.equal((await s.get(url, null)).statusCode, 401, `anonymous: ${url}`)
    t.match((await s.get(url, s.member)).json(), { error: { code: 'forbidden' } }, `member: ${url}`)
    t.equal((await s.get(url, s.admin)).statusCode, 403, `admin: ${url}`)
    t.equal((await s.get(url)).statusCode, 200, `owner: ${url}`)
  }
})

t.test('list and detail', async (t) => {
  const s = await setup(t)
  const list = (await s.get('/api/meetings')).json()
  t.same(
    list.meetings.map((m: { roomTitle: string; participants: number; durationMs: number }) => [m.roomTitle, m.participants, m.durationMs]),
    [
      ['Ретро', 3, HOUR],
      ['Планёрка, "утро"', 2, 30 * MIN],
    ],
  )
  t.equal(list.retentionDays, 365)
  t.equal(list.next, null)
  const firstDay = (await s.get(`/api/meetings?from=${D0}&to=${D0}`)).json()
  t.same(firstDay.meetings.map((m: { id: number }) => m.id), [s.standup], 'to names the last day included')
  const paged = (await s.get('/api/meetings?limit=1')).json()
  t.same(paged.meetings.map((m: { id: number }) => m.id), [s.retro])
  t.equal(paged.next, s.retro)
  t.same((await s.get(`/api/meetings?limit=1&before=${paged.next}`)).json().meetings.map((m: { id: number }) => m.id), [s.standup])

  const detail = (await s.get(`/api/meetings/${s.standup}`)).json()
  t.match(detail.meeting, { id: s.standup, roomId: 'room-1', startedAt: DAY0 + 9 * HOUR, endedAt: DAY0 + 9 * HOUR + 30 * MIN, participants: 2 })
  t.match(detail.participants, [
    { displayName: 'Анна Петрова', kind: 'internal', userId: 'u-anna', browser: 'Yandex Browser 24', os: 'Windows', address: '203.0.113.9', viaProxy: true, forwardedFor: '203.0.113.9', durationMs: 30 * MIN, leftAt: DAY0 + 9 * HOUR + 30 * MIN },
    { kind: 'guest', userId: null, address: '10.0.0.5', viaProxy: false, forwardedFor: null, durationMs: 20 * MIN },
  ])
  t.same(detail.chat.map((c: { senderName: string; text: string }) => c.text), ['Доброе утро', '+1'])
  t.match((await s.get('/api/meetings/999999')).json(), { error: { code: 'not_found' } })
  t.equal((await s.get('/api/meetings/abc')).statusCode, 400)
})

t.test('CSV export: BOM, quoted fields, doubled quotes, Cyrillic, formulas defused', async (t) => {
  const s = await setup(t)
  const res = await s.get(`/api/meetings/export.csv?from=${D0}&to=${D2}`)
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], 'text/csv; charset=utf-8')
  t.equal(res.headers['content-disposition'], `attachment; filename="veche-meetings-${D0}--${D2}.csv"`)
  const bytes = res.rawPayload
  t.same([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte order mark first')
  const lines = bytes.toString('utf8').slice(1).split('\r\n')
  t.equal(lines.at(-1), '', 'ends with CRLF')
  t.equal(lines.length, 1 + 5 + 1, 'header, one row per stay')
  t.match(lines[0], /^"meeting_id","room_id","room","meeting_started_utc",.*"user_agent"$/)
  const anna = lines[1]!
  t.match(anna, `"Планёрка, ""утро"""`)
  t.match(anna, '"Анна Петрова","u-anna","internal"')
  t.match(anna, `"${new Date(DAY0 + 9 * HOUR).toISOString().slice(0, 10)} 09:00:00"`)
  t.match(anna, '"30","Yandex Browser 24","Windows","203.0.113.9","yes","203.0.113.9"')
  t.match(lines[2], `"'=HYPERLINK(""http://evil.example"",""click"")"`, 'a formula becomes text')
  t.match(lines[3], `"'-1"`)
  t.match(lines[4], `"'@admin"`)
  for (const line of lines.slice(0, -1)) t.notMatch(line, /(^|,)"[=+\-@\t\r]/, 'no cell starts a formula')
})

t.test('JSON export: stays and chat of the range', async (t) => {
  const s = await setup(t)
  const res = await s.get(`/api/meetings/export.json?from=${D0}&to=${D0}`)
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], 'application/json')
  t.match(res.headers['content-disposition'], /^attachment; filename="veche-meetings-.*\.json"$/)
  const body = res.json()
  t.same(Object.keys(body), ['from', 'to', 'generatedAt', 'sessions', 'chat'])
  t.equal(body.from, new Date(DAY0).toISOString())
  t.equal(body.to, new Date(DAY0 + DAY_MS).toISOString())
  t.equal(body.sessions.length, 2, 'only the first day')
  t.same(body.sessions[0], {
    meetingId: s.standup,
    roomId: 'room-1',
    roomTitle: 'Планёрка, "утро"',
    meetingStartedAt: new Date(DAY0 + 9 * HOUR).toISOString(),
    meetingEndedAt: new Date(DAY0 + 9 * HOUR + 30 * MIN).toISOString(),
    participantId: body.sessions[0].participantId,
    displayName: 'Анна Петрова',
    userId: 'u-anna',
    kind: 'internal',
    joinedAt: new Date(DAY0 + 9 * HOUR).toISOString(),
    leftAt: new Date(DAY0 + 9 * HOUR + 30 * MIN).toISOString(),
    minutes: 30,
    browser: 'Yandex Browser 24',
    os: 'Windows',
    address: '203.0.113.9',
    viaProxy: true,
    forwardedFor: '203.0.113.9',
    userAgent: body.sessions[0].userAgent,
  })
  t.same(
    body.chat.map((c: { meetingId: number; sender: string; text: string }) => [c.meetingId, c.sender, c.text]),
    [
      [s.standup, 'Анна Петрова', 'Доброе утро'],
      [s.standup, '=HYPERLINK("http://evil.example","click")', '+1'],
    ],
    'JSON keeps text as it was (no spreadsheet runs it)',
  )
})

t.test('statistics per UTC day against the license limits', async (t) => {
  const s = await setup(t, { limits: { rooms: 3, participantsPerRoom: 5, internalUsers: 50 } })
  const body = (await s.get(`/api/statistics?from=${D0}&to=${D2}`)).json()
  t.same(body.limits, { rooms: 3, participantsPerRoom: 5 })
  t.equal(body.from, D0)
  t.equal(body.to, D2)
  t.same(body.days, [
    { day: D0, meetings: 1, participantMinutes: 30 + 20, peakRooms: 1, peakParticipants: 2, peakMeetingParticipants: 2 },
    { day: D1, meetings: 1, participantMinutes: 3 * 60, peakRooms: 2, peakParticipants: 4, peakMeetingParticipants: 3 },
    { day: D2, meetings: 0, participantMinutes: 0, peakRooms: 0, peakParticipants: 0, peakMeetingParticipants: 0 },
  ])
  t.same(body.totals, { meetings: 2, participantMinutes: 230, peakRooms: 2, peakParticipants: 4, peakMeetingParticipants: 3 })
  const recent = (await s.get('/api/statistics')).json()
  t.equal(recent.days.length, 30, 'by default the last 30 days')
  t.equal(recent.to, utcDay(Date.now()), 'up to today')
})

t.test('bad query parameters are refused with a message that names the fix', async (t) => {
  const s = await setup(t)
  const refusals: [string, RegExp][] = [
    ['/api/meetings?from=yesterday', /^from: expected a date like 2026-01-31 or a time like 2026-01-31T09:00:00Z, got 'yesterday'$/],
    ['/api/statistics?to=2026-02-30', /^to: expected a date like 2026-01-31/],
    ['/api/meetings/export.csv?from=2026-01-31T09:00:00', /^from: expected a date/],
    [`/api/meetings/export.json?from=${D2}&to=${D0}`, /^from must be before to$/],
    ['/api/statistics?from=2024-01-01&to=2025-12-31', /^the range covers 731 days; ask for at most 366 at a time/],
    ['/api/meetings/export.csv?from=2024-01-01&to=2025-12-31', /at most 366/],
  ]
  for (const [url, message] of refusals) {
    const res = await s.get(url)
    t.equal(res.statusCode, 400, url)
    t.match(res.json(), { error: { code: 'bad_range', message } }, url)
  }
  for (const url of ['/api/meetings?limit=0', '/api/meetings?limit=501', '/api/meetings?before=x']) {
    t.match((await s.get(url)).json(), { error: { code: 'bad_request' } }, url)
  }
  t.equal((await s.get('/api/meetings?from=2026-01-01T00:00:00%2B03:00')).statusCode, 200, 'a time with an offset is fine')
})

t.test('retention: purgeExpired with a fake clock deletes the old, keeps the recent, audits once', async (t) => {
  const s = await setup(t)
  const repo = s.app.meetingHistory.repository
  const old = await repo.startMeeting({ roomId: 'room-1', roomTitle: 'Давно', startedAt: DAY0 - 400 * DAY_MS })
  await repo.addParticipant(stay(old, { joinedAt: DAY0 - 400 * DAY_MS }))
  await repo.endMeeting(old, DAY0 - 400 * DAY_MS + HOUR)
  await repo.raisePeaks(utcDay(DAY0 - 400 * DAY_MS), 1, 1, 1)
  // E-mail invitations of the same period go too (they name recipients and rooms).
  const owner = (await s.app.usersRepository.list()).find((u) => u.role === 'owner')!
  const room = (await s.app.inject({ method: 'POST', url: '/api/rooms', headers: { cookie: s.owner }, payload: { title: 'Планёрка' } })).json().room.id as string
  const invite = (createdAt: number, recipient: string) =>
    s.app.invitationsRepository.record({
      roomId: room, senderId: owner.id, senderName: owner.displayName, scheduledAt: null, createdAt,
      outcomes: [{ recipient, status: 'sent', sentAt: createdAt }],
    })
  await invite(DAY0 - 400 * DAY_MS, 'old@partner.example')
  await invite(DAY0, 'recent@partner.example')

  const now = DAY0 + 10 * DAY_MS
  t.same(await s.app.meetingHistory.purgeExpired(now), { meetings: 1, participants: 1, chat: 0, usageDays: 1, invitations: 1 })
  t.equal(await s.app.invitationsRepository.countWorkspaceSentSince(0), 1, 'the recent invitation stays')
  t.notOk(await repo.get(old), 'the old meeting is gone')
  t.ok((await repo.get(s.standup)) && (await repo.get(s.retro)), 'recent meetings stay')
  const audit = (await s.app.auditRepository.list()).entries.filter((e) => e.action === 'retention.purged')
  t.equal(audit.length, 1)
  t.match(audit[0], {
    actorId: null,
    actorName: 'system',
    at: now,
    detail: { meetings: 1, participants: 1, chat: 0, usageDays: 1, invitations: 1, retentionDays: 365, before: new Date(now - 365 * DAY_MS).toISOString() },
  })

  t.same(await s.app.meetingHistory.purgeExpired(now), { meetings: 0, participants: 0, chat: 0, usageDays: 0, invitations: 0 })
  t.equal((await s.app.auditRepository.list()).entries.filter((e) => e.action === 'retention.purged').length, 1, 'nothing purged: no entry')

  // A year and a day later everything seeded here is past retention.
  t.match(await s.app.meetingHistory.purgeExpired(DAY0 + 367 * DAY_MS), { meetings: 2, participants: 5, chat: 2, usageDays: 2 })
  t.same((await s.get('/api/meetings')).json().meetings, [])
})
