// The owner's meeting history and usage statistics: list and detail of meetings, CSV and JSON exports,
// and per-day statistics against the license's limits. Owner only: it holds names, addresses and chat.
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { MeetingSummary, Participant } from '../db/meeting-history-repository.ts'
import { historyJson, sessionsCsv } from '../history/export.ts'
import { stayQualityView } from '../history/stay-quality-view.ts'
import { BadRangeError, parseRange, type RangeRules } from '../history/time-range.ts'
import { sendError } from '../http-errors.ts'
import { RATE_COST } from '../plugins/rate-limit.ts'
import { replies } from './common-schemas.ts'
import { ListQuery, MeetingDetail, MeetingParams, MeetingsPage, RangeQuery, UsageStatistics } from './history-schemas.ts'

/** Longest range one export or statistics request covers. */
export const MAX_RANGE_DAYS = 366

const summaryView = (m: MeetingSummary, now: number) => ({
  id: m.id,
  roomId: m.roomId,
  roomTitle: m.roomTitle,
  startedAt: m.startedAt,
  endedAt: m.endedAt,
  durationMs: (m.endedAt ?? now) - m.startedAt,
  participants: m.participants,
})

const participantView = (p: Participant, now: number) => ({
  id: p.id,
  userId: p.userId,
  displayName: p.displayName,
  kind: p.kind,
  joinedAt: p.joinedAt,
  leftAt: p.leftAt,
  durationMs: (p.leftAt ?? now) - p.joinedAt,
  browser: p.browser,
  os: p.os,
  userAgent: p.userAgent,
  address: p.ip,
  viaProxy: p.viaProxy,
  forwardedFor: p.forwardedFor,
  quality: stayQualityView(p.quality),
})

/** exportName: "veche-meetings-2026-01-01--2026-01-31.csv" (the last day included). */
const exportName = (from: number, to: number, ext: string): string =>
  `veche-meetings-${new Date(from).toISOString().slice(0, 10)}--${new Date(to - 1).toISOString().slice(0, 10)}.${ext}`

export default async function historyRoutes(app: FastifyInstance): Promise<void> {
  const owner = app.requireRole('owner')

  /** range reads from/to, or answers 400 itself and returns undefined. */
  const range = (query: RangeQuery, reply: FastifyReply, rules: Omit<RangeRules, 'now'>) => {
    try {
      return parseRange(query, { ...rules, now: Date.now() })
    } catch (err) {
      if (!(err instanceof BadRangeError)) throw err
      void sendError(reply, 400, 'bad_range', err.message)
      return undefined
    }
  }
  const exportRange = (query: RangeQuery, reply: FastifyReply) => range(query, reply, { defaultDays: 30, maxDays: MAX_RANGE_DAYS })

  app.get<{ Querystring: ListQuery }>('/api/meetings', { preHandler: owner, schema: { querystring: ListQuery, response: replies({ 200: MeetingsPage }) } }, async (request, reply) => {
    // Without from, the whole kept history (retention bounds it).
    const r = range(request.query, reply, { defaultDays: app.meetingHistory.retentionDays + 1 })
    if (!r) return reply
    const { before, limit } = request.query
    const page = await app.meetingHistory.repository.list(r, { ...(before ? { before } : {}), ...(limit ? { limit } : {}) })
    const now = Date.now()
    return { meetings: page.meetings.map((m) => summaryView(m, now)), next: page.next, retentionDays: app.meetingHistory.retentionDays }
  })

  app.get<{ Querystring: RangeQuery }>(
    '/api/meetings/export.csv',
    // A file to download, sent as ready text: only the refusals are JSON.
    { preHandler: owner, schema: { querystring: RangeQuery, response: replies({}) }, config: { rateCost: RATE_COST.export } },
    async (request, reply) => {
      const r = exportRange(request.query, reply)
      if (!r) return reply
      const csv = sessionsCsv(await app.meetingHistory.repository.sessions(r))
      request.log.info({ by: request.user!.id, from: r.from, to: r.to }, 'meeting history exported (csv)')
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('cache-control', 'private, no-store')
        .header('content-disposition', `attachment; filename="${exportName(r.from, r.to, 'csv')}"`)
        .send(csv)
    },
  )

  app.get<{ Querystring: RangeQuery }>(
    '/api/meetings/export.json',
    // A file to download, sent as ready text: only the refusals are JSON.
    { preHandler: owner, schema: { querystring: RangeQuery, response: replies({}) }, config: { rateCost: RATE_COST.export } },
    async (request, reply) => {
      const r = exportRange(request.query, reply)
      if (!r) return reply
      const { repository } = app.meetingHistory
      const body = historyJson(r, await repository.sessions(r), await repository.chat(r), Date.now())
      request.log.info({ by: request.user!.id, from: r.from, to: r.to }, 'meeting history exported (json)')
      return reply
        .header('content-type', 'application/json; charset=utf-8')
        .header('cache-control', 'private, no-store')
        .header('content-disposition', `attachment; filename="${exportName(r.from, r.to, 'json')}"`)
        .send(JSON.stringify(body, null, 2))
    },
  )

  app.get<{ Params: MeetingParams }>('/api/meetings/:id', { preHandler: owner, schema: { params: MeetingParams, response: replies({ 200: MeetingDetail }) } }, async (request, reply) => {
    const meeting = await app.meetingHistory.repository.get(request.params.id)
    if (!meeting) return sendError(reply, 404, 'not_found', 'no such meeting (it may have been deleted by retention)')
    const now = Date.now()
    return {
      meeting: summaryView(meeting, now),
      participants: meeting.participantList.map((p) => participantView(p, now)),
      chat: meeting.chat.map((c) => ({ participantId: c.participantId, senderName: c.senderName, text: c.text, sentAt: c.sentAt })),
    }
  })

  app.get<{ Querystring: RangeQuery }>(
    '/api/statistics',
    { preHandler: owner, schema: { querystring: RangeQuery, response: replies({ 200: UsageStatistics }) }, config: { rateCost: RATE_COST.statistics } },
    async (request, reply) => {
      const r = range(request.query, reply, { defaultDays: 30, maxDays: MAX_RANGE_DAYS, wholeDays: true })
      if (!r) return reply
      const days = await app.meetingHistory.statistics.perDay(r)
      const limits = app.license.state.claims?.limits
      return {
        from: new Date(r.from).toISOString().slice(0, 10),
        // The last day included.
        to: new Date(r.to - 1).toISOString().slice(0, 10),
        days,
        totals: {
          meetings: days.reduce((n, d) => n + d.meetings, 0),
          participantMinutes: days.reduce((n, d) => n + d.participantMinutes, 0),
          peakRooms: Math.max(0, ...days.map((d) => d.peakRooms)),
          peakParticipants: Math.max(0, ...days.map((d) => d.peakParticipants)),
          peakMeetingParticipants: Math.max(0, ...days.map((d) => d.peakMeetingParticipants)),
        },
        // What the license allows at once: meetings, and participants per meeting. null: no license.
        limits: limits ? { rooms: limits.rooms, participantsPerRoom: limits.participantsPerRoom } : null,
      }
    },
  )
}
