// Writes the iCalendar (RFC 5545) invitation attached to a scheduled meeting's e-mail: one VEVENT
// with METHOD:REQUEST, so calendar clients offer to add it. Written here rather than taken from a
// library because the format is small and its traps (folding by octets, TEXT escaping) are few.

export interface CalendarInvitation {
  /** Globally unique and the same for every recipient of one invitation. */
  uid: string
  /** Unix milliseconds. */
  start: number
  durationMinutes: number
  /** When the invitation was made (DTSTAMP), Unix milliseconds. */
  stamp: number
  summary: string
  description: string
  /** The meeting's join link: URL and LOCATION, so every client shows it somewhere. */
  url: string
  organizer: { name: string; email: string }
  attendees: string[]
}

const CRLF = '\r\n'
const MAX_OCTETS = 75

/** utcDateTime formats a UTC DATE-TIME such as 20260115T093000Z. */
export function utcDateTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '')
}

/**
 * escapeText makes a TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped, line
 * breaks as \n, other control characters (never allowed in TEXT) removed.
 */
export function escapeText(value: string): string {
  return value
    .replace(/\r\n?/g, '\n')
    .replace(/[\\;,]/g, (c) => `\\${c}`)
    .replace(/\n/g, '\\n')
    .replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, '')
}

/** paramValue quotes a parameter value; DQUOTE and control characters cannot appear in one at all. */
function paramValue(value: string): string {
  return `"${value.replace(/[\u0000-\u0008\u000a-\u001f\u007f"]/g, '')}"`
}

/**
 * foldLine splits a content line into lines of at most 75 octets, continuation lines starting with
 * one space (RFC 5545 3.1). It splits between characters, never inside a UTF-8 sequence.
 */
export function foldLine(line: string): string {
  const lines: string[] = []
  let current = ''
  let octets = 0
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8')
    if (octets + size > MAX_OCTETS) {
      lines.push(current)
      current = ' '
      octets = 1
    }
    current += char
    octets += size
  }
  lines.push(current)
  return lines.join(CRLF)
}

/** buildIcs returns the VCALENDAR text with CRLF line endings, folded, ending in CRLF. */
export function buildIcs(event: CalendarInvitation): string {
  const end = event.start + event.durationMinutes * 60_000
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Veche//Meeting invitations//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:REQUEST',
    'BEGIN:VEVENT',
    `UID:${escapeText(event.uid)}`,
    `DTSTAMP:${utcDateTime(event.stamp)}`,
    `DTSTART:${utcDateTime(event.start)}`,
    `DTEND:${utcDateTime(end)}`,
    'SEQUENCE:0',
    'STATUS:CONFIRMED',
    'TRANSP:OPAQUE',
    `SUMMARY:${escapeText(event.summary)}`,
    `DESCRIPTION:${escapeText(event.description)}`,
    `LOCATION:${escapeText(event.url)}`,
    // A URI value, not TEXT: it is not escaped (the link never holds a line break).
    `URL:${event.url.replace(/[\r\n]/g, '')}`,
    `ORGANIZER;CN=${paramValue(event.organizer.name)}:mailto:${event.organizer.email}`,
    ...event.attendees.map((email) => `ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:${email}`),
    'END:VEVENT',
    'END:VCALENDAR',
  ]
  return lines.map(foldLine).join(CRLF) + CRLF
}
