// The meeting history as files for the owner: CSV (one row per participant's stay, safe to open in a
// spreadsheet) and JSON (the same rows plus the chat).
import type { ChatEntry, SessionRow, TimeRange } from '../db/meeting-history-repository.ts'

/** Cells a spreadsheet would run as a formula (or that hide one behind a tab or line break) start with these. */
const FORMULA_START = /^[=+\-@\t\r]/

/**
 * csvCell quotes `value` for CSV (RFC 4180: every field quoted, quotes doubled) and defuses formula
 * injection: text a spreadsheet would evaluate gets a leading apostrophe, so it shows as text.
 */
export function csvCell(value: string | number | boolean | null): string {
  let text = value === null ? '' : String(value)
  if (FORMULA_START.test(text)) text = `'${text}`
  return `"${text.replaceAll('"', '""')}"`
}

/** Spreadsheets read "2026-01-31 09:05:00" as a date and time; ISO's "T…Z" they keep as text. */
const sheetTime = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString().slice(0, 19).replace('T', ' '))

const minutes = (s: SessionRow): number | null => (s.leftAt === null ? null : Math.round((s.leftAt - s.joinedAt) / 6000) / 10)

const CSV_COLUMNS = [
  'meeting_id', 'room_id', 'room', 'meeting_started_utc', 'meeting_ended_utc',
  'participant', 'user_id', 'kind', 'joined_utc', 'left_utc', 'minutes',
  'browser', 'os', 'address', 'via_proxy', 'forwarded_for', 'user_agent',
]

/**
 * sessionsCsv returns the stays as CSV text: a UTF-8 byte order mark first (so Excel reads Cyrillic
 * names right), a header row, CRLF line ends. Times are UTC.
 */
export function sessionsCsv(sessions: SessionRow[]): string {
  const lines = [CSV_COLUMNS.map(csvCell).join(',')]
  for (const s of sessions) {
    lines.push(
      [
        s.meetingId, s.roomId, s.roomTitle, sheetTime(s.meetingStartedAt), sheetTime(s.meetingEndedAt),
        s.displayName, s.userId, s.kind, sheetTime(s.joinedAt), sheetTime(s.leftAt), minutes(s),
        s.browser, s.os, s.ip, s.viaProxy ? 'yes' : 'no', s.forwardedFor, s.userAgent,
      ].map(csvCell).join(','),
    )
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())

/** historyJson returns the stays and chat of `range` as one JSON document; times are ISO 8601 UTC. */
export function historyJson(range: TimeRange, sessions: SessionRow[], chat: ChatEntry[], now: number): object {
  return {
    from: iso(range.from),
    to: iso(range.to),
    generatedAt: iso(now),
    sessions: sessions.map((s) => ({
      meetingId: s.meetingId,
      roomId: s.roomId,
      roomTitle: s.roomTitle,
      meetingStartedAt: iso(s.meetingStartedAt),
      meetingEndedAt: iso(s.meetingEndedAt),
      participantId: s.id,
      displayName: s.displayName,
      userId: s.userId,
      kind: s.kind,
      joinedAt: iso(s.joinedAt),
      leftAt: iso(s.leftAt),
      minutes: minutes(s),
      browser: s.browser,
      os: s.os,
      address: s.ip,
      viaProxy: s.viaProxy,
      forwardedFor: s.forwardedFor,
      userAgent: s.userAgent,
    })),
    chat: chat.map((c) => ({
      meetingId: c.meetingId,
      participantId: c.participantId,
      sender: c.senderName,
      text: c.text,
      sentAt: iso(c.sentAt),
    })),
  }
}
