import t from 'tap'
import { buildIcs, escapeText, foldLine, utcDateTime, type CalendarInvitation } from '../../../server/mail/ics.ts'
import { parseIcs, unescapeText } from '../../smtp-server.ts'

const octets = (s: string) => Buffer.byteLength(s, 'utf8')

const event = (over: Partial<CalendarInvitation> = {}): CalendarInvitation => ({
  uid: '4b1c9f1e-0d7e-4d1f-9a53-3b8c0a2f9e11@corp.example',
  start: Date.UTC(2030, 0, 15, 9, 30),
  durationMinutes: 45,
  stamp: Date.UTC(2030, 0, 10, 8, 0, 5),
  summary: 'Планёрка отдела продаж; итоги квартала, планы \\ задачи — очень длинное название встречи',
  description: 'Когда: завтра\n\nПовестка:\r\n1. Бюджет, сроки; риски\n2. Разное',
  url: 'https://meet.corp.example/r/AbCdEfGhIjKlMnOpQrStUv',
  organizer: { name: 'Ольга "Босс" Владелец; отдел: продажи', email: 'owner@corp.example' },
  attendees: ['anna@partner.example'],
  ...over,
})

t.test('an invitation is a VCALENDAR with one VEVENT that parses back to what was put in', async (t) => {
  const text = buildIcs(event())
  const ics = parseIcs(text)
  t.same(
    ics.properties.map((p) => p.name),
    ['BEGIN', 'VERSION', 'PRODID', 'CALSCALE', 'METHOD', 'BEGIN', 'UID', 'DTSTAMP', 'DTSTART', 'DTEND', 'SEQUENCE', 'STATUS', 'TRANSP', 'SUMMARY', 'DESCRIPTION', 'LOCATION', 'URL', 'ORGANIZER', 'ATTENDEE', 'END', 'END'],
  )
  t.equal(ics.properties[0]!.value, 'VCALENDAR')
  t.equal(ics.properties[5]!.value, 'VEVENT')
  t.equal(ics.get('VERSION')!.value, '2.0')
  t.equal(ics.get('METHOD')!.value, 'REQUEST')
  t.equal(ics.get('UID')!.value, event().uid)
  t.equal(ics.get('DTSTAMP')!.value, '20300110T080005Z')
  t.equal(ics.get('DTSTART')!.value, '20300115T093000Z', 'start in UTC')
  t.equal(ics.get('DTEND')!.value, '20300115T101500Z', 'start + 45 minutes')
  t.equal(unescapeText(ics.get('SUMMARY')!.value), event().summary, 'Cyrillic title intact through escaping and folding')
  t.equal(unescapeText(ics.get('DESCRIPTION')!.value), 'Когда: завтра\n\nПовестка:\n1. Бюджет, сроки; риски\n2. Разное')
  t.equal(unescapeText(ics.get('LOCATION')!.value), event().url)
  t.equal(ics.get('URL')!.value, event().url)
  const organizer = ics.get('ORGANIZER')!
  t.equal(organizer.value, 'mailto:owner@corp.example')
  t.equal(organizer.params.CN, 'Ольга Босс Владелец; отдел: продажи', 'CN quoted, DQUOTE (never allowed in a parameter) dropped')
  const attendee = ics.get('ATTENDEE')!
  t.equal(attendee.value, 'mailto:anna@partner.example')
  t.equal(attendee.params.RSVP, 'TRUE')
})

t.test('lines end in CRLF and are folded at 75 octets without splitting a UTF-8 character', async (t) => {
  const text = buildIcs(event({ summary: 'Ж'.repeat(200), description: '😀'.repeat(100) + 'a'.repeat(7) + 'я'.repeat(40) }))
  const ics = parseIcs(text)
  for (const line of ics.physicalLines) {
    t.ok(octets(line) <= 75, `${octets(line)} octets: ${line.slice(0, 20)}…`)
    t.notOk(line.includes('\uFFFD'), 'no broken character')
  }
  t.ok(ics.physicalLines.filter((l) => l.startsWith(' ')).length > 5, 'long values were folded')
  t.equal(unescapeText(ics.get('SUMMARY')!.value), 'Ж'.repeat(200))
  t.equal(unescapeText(ics.get('DESCRIPTION')!.value), '😀'.repeat(100) + 'a'.repeat(7) + 'я'.repeat(40))
  // Every physical line is itself valid UTF-8: a fold never cut a sequence.
  const bytes = Buffer.from(text, 'utf8')
  for (const line of bytes.toString('latin1').split('\r\n')) {
    t.doesNotThrow(() => new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(line, 'latin1')))
  }
})

t.test('foldLine: exactly 75 octets stays one line; continuation lines carry 74 octets after the space', async (t) => {
  t.equal(foldLine('x'.repeat(75)), 'x'.repeat(75))
  t.equal(foldLine('x'.repeat(76)), `${'x'.repeat(75)}\r\n x`)
  t.equal(foldLine('x'.repeat(75 + 74 + 1)), `${'x'.repeat(75)}\r\n ${'x'.repeat(74)}\r\n x`)
  // 'ф' is two octets: 37 fit in 74, the 38th moves to the next line rather than being split.
  const folded = foldLine(`S:${'ф'.repeat(40)}`)
  const [first, second] = folded.split('\r\n')
  t.equal(octets(first!), 2 + 36 * 2, 'the first line stops before a character that would not fit')
  t.equal(second, ` ${'ф'.repeat(4)}`)
})

t.test('TEXT escaping: backslash, semicolon, comma, line breaks; control characters dropped', async (t) => {
  t.equal(escapeText('a\\b;c,d\ne\r\nf\rg'), 'a\\\\b\\;c\\,d\\ne\\nf\\ng')
  t.equal(escapeText('bell\u0007tab\there'), 'belltab\there')
  t.equal(unescapeText(escapeText('x\\n is not a newline; y, z\n')), 'x\\n is not a newline; y, z\n')
  t.equal(utcDateTime(Date.UTC(2030, 11, 31, 23, 59, 59, 999)), '20301231T235959Z')
})

t.test('a CR or LF in the title or organizer name cannot start a new property', async (t) => {
  const ics = parseIcs(
    buildIcs(event({ summary: 'Standup\r\nATTENDEE:mailto:evil@attacker.example', organizer: { name: 'Eve\r\nX-EVIL:1', email: 'eve@corp.example' } })),
  )
  t.equal(ics.properties.filter((p) => p.name === 'ATTENDEE').length, 1)
  t.notOk(ics.get('X-EVIL'))
  t.equal(unescapeText(ics.get('SUMMARY')!.value), 'Standup\nATTENDEE:mailto:evil@attacker.example', 'kept as text of the summary')
})
