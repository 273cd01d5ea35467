import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { createInvitationsRepository } from '../../server/db/invitations-repository.ts'
import type { UserId } from '../../server/db/users-repository.ts'
import { build, createMember, createOwner, OWNER } from '../helper.ts'
import { addressesIn, leaves, mailSettings, parseIcs, startSmtpServer, unescapeText, type ReceivedMail } from '../smtp-server.ts'

const PUBLIC = 'https://meet.corp.example'

async function setup(t: Test, extra: string[] = []) {
  const smtp = await startSmtpServer(t)
  const app = await build(t, { set: [`server.publicUrl=${PUBLIC}/`, ...mailSettings(smtp.port, extra)] })
  const owner = await createOwner(app)
  return { smtp, app, owner }
}

async function newRoom(app: FastifyInstance, cookie: string, title: string): Promise<{ id: string; url: string }> {
  const res = await app.inject({ method: 'POST', url: '/api/rooms', headers: { cookie }, payload: { title } })
  if (res.statusCode !== 201) throw new Error(`room: ${res.statusCode} ${res.body}`)
  return res.json().room
}

const invite = (app: FastifyInstance, cookie: string | undefined, roomId: string, payload: object) =>
  app.inject({ method: 'POST', url: `/api/rooms/${roomId}/invitations`, headers: cookie ? { cookie } : {}, payload })

const rows = (app: FastifyInstance) =>
  app.db!.prepare('SELECT recipient, status, reason, sender_name, room_id FROM invitations ORDER BY id').all() as {
    recipient: string
    status: string
    reason: string | null
    sender_name: string
    room_id: string
  }[]

const part = (mail: ReceivedMail, type: string) => leaves(mail.message).find((p) => p.type === type)

t.test('a scheduled invitation reaches each recipient alone, in Russian, with the link and a calendar event', async (t) => {
  const { smtp, app, owner } = await setup(t)
  const title = 'Планёрка отдела продаж; итоги, планы \\ задачи — квартальная встреча с партнёрами'
  const room = await newRoom(app, owner, title)
  const res = await invite(app, owner, room.id, {
    recipients: ['anna@partner.example', 'Boris@Partner.Example', 'boris@partner.example', ''],
    scheduledAt: '2030-01-15T09:30:00.000Z',
    durationMinutes: 45,
    message: 'Добрый день!\nПовестка: бюджет, сроки.',
    lang: 'ru',
    timeZone: 'Europe/Moscow',
  })
  t.equal(res.statusCode, 200, res.body)
  t.same(res.json(), {
    sent: 2,
    results: [
      { recipient: 'anna@partner.example', status: 'sent' },
      { recipient: 'Boris@partner.example', status: 'sent' },
    ],
  }, 'duplicates (any case) mailed once')
  t.equal(smtp.messages.length, 2, 'one message per recipient')

  const link = `${PUBLIC}/r/${room.id}`
  const uids = new Set<string>()
  for (const [i, mail] of smtp.messages.entries()) {
    const recipient = ['anna@partner.example', 'boris@partner.example'][i]!
    t.same(mail.envelope.to.map((a) => a.toLowerCase()), [recipient], 'the envelope names only this recipient')
    t.same(addressesIn(mail.message.header('to')), [recipient], 'nobody sees the other addresses')
    t.equal(mail.message.header('cc'), undefined)
    t.equal(mail.message.header('bcc'), undefined)
    t.equal(mail.message.header('subject'), `Приглашение: ${title}`)
    t.match(mail.message.header('from'), /Ольга Владелец через Veche.*<veche@corp\.example>/)
    t.same(addressesIn(mail.message.header('reply-to')), [OWNER.email], 'replies go to the sender')
    t.equal(mail.envelope.from, 'veche@corp.example')

    const text = part(mail, 'text/plain')!.body
    t.match(text, `Ольга Владелец приглашает вас на видеовстречу «${title}».`)
    t.match(text, /15 января 2030\sг\., 12:30–13:15 \(Europe\/Moscow\)/, 'the time in the sender’s zone and language')
    t.match(text, 'Добрый день!\nПовестка: бюджет, сроки.')
    t.match(text, `Подключиться из браузера: ${link}`)
    const html = part(mail, 'text/html')!.body
    t.match(html, `<a href="${link}"`)
    t.match(html, 'Планёрка отдела продаж')

    const calendar = part(mail, 'text/calendar')!
    t.equal(calendar.params.method, 'REQUEST')
    const ics = parseIcs(calendar.body)
    for (const line of ics.physicalLines) t.ok(Buffer.byteLength(line) <= 75, 'folded at 75 octets')
    t.equal(ics.get('METHOD')!.value, 'REQUEST')
    t.equal(ics.get('DTSTART')!.value, '20300115T093000Z')
    t.equal(ics.get('DTEND')!.value, '20300115T101500Z')
    t.equal(unescapeText(ics.get('SUMMARY')!.value), title, 'the Cyrillic title survives escaping, folding and transfer encoding')
    t.equal(ics.get('URL')!.value, link)
    t.equal(unescapeText(ics.get('LOCATION')!.value), link)
    t.match(unescapeText(ics.get('DESCRIPTION')!.value), link)
    t.equal(ics.get('ORGANIZER')!.value, `mailto:${OWNER.email}`)
    t.equal(ics.get('ATTENDEE')!.value.toLowerCase(), `mailto:${recipient}`)
    t.ok(ics.get('DTSTAMP')!.value.match(/^\d{8}T\d{6}Z$/))
    uids.add(ics.get('UID')!.value)
  }
  t.equal(uids.size, 1, 'one event: the same UID for every recipient')

  t.same(
    rows(app).map((r) => [r.recipient, r.status, r.sender_name, r.room_id]),
    [
      ['anna@partner.example', 'sent', OWNER.displayName, room.id],
      ['Boris@partner.example', 'sent', OWNER.displayName, room.id],
    ],
  )
  const usage = await app.inject({ url: '/api/invitations/usage', headers: { cookie: owner } })
  t.same(usage.json(), { user: { sent: 2, limit: 100, freesAt: null }, workspace: { sent: 2, limit: 1000, freesAt: null }, maxRecipients: 50 })
})

t.test('without a time: an English message with the link and no calendar part', async (t) => {
  const { smtp, app, owner } = await setup(t)
  const room = await newRoom(app, owner, 'Weekly sync')
  const res = await invite(app, owner, room.id, { recipients: ['guest@partner.example'] })
  t.equal(res.statusCode, 200, res.body)
  const [mail] = smtp.messages
  t.equal(mail!.message.header('subject'), 'Invitation: Weekly sync')
  t.match(part(mail!, 'text/plain')!.body, `Join from your browser: ${PUBLIC}/r/${room.id}`)
  t.equal(part(mail!, 'text/calendar'), undefined)
  t.equal(leaves(mail!.message).some((p) => p.type === 'application/ics'), false)
})

t.test('refused before anything is sent or counted: too many, invalid, none, a bad time', async (t) => {
  const { smtp, app, owner } = await setup(t)
  const room = await newRoom(app, owner, 'Town hall')
  const thousand = Array.from({ length: 1000 }, (_, i) => `guest${i}@partner.example`)
  const many = await invite(app, owner, room.id, { recipients: thousand })
  t.equal(many.statusCode, 400)
  t.equal(many.json().error.code, 'too_many_recipients')
  t.match(many.json().error.message, /at most 50 recipients and this one has 1000/)

  const invalid = await invite(app, owner, room.id, { recipients: ['anna@partner.example', 'boris at partner', 'x@y@z'] })
  t.equal(invalid.statusCode, 400)
  t.equal(invalid.json().error.code, 'invalid_recipients')
  t.match(invalid.json().error.message, /"boris at partner", "x@y@z"/, 'each bad address is named')
  t.notMatch(invalid.json().error.message, /anna@partner/, 'the good one is not')

  const none = await invite(app, owner, room.id, { recipients: [' '] })
  t.equal(none.json().error.code, 'no_recipients')
  const badTime = await invite(app, owner, room.id, { recipients: ['anna@partner.example'], scheduledAt: 'tomorrow at ten' })
  t.equal(badTime.statusCode, 400)
  t.match(badTime.json().error.message, /ISO 8601/)
  const past = await invite(app, owner, room.id, { recipients: ['anna@partner.example'], scheduledAt: '2001-01-01T10:00:00Z' })
  t.equal(past.json().error.code, 'meeting_in_past')
  const zone = await invite(app, owner, room.id, { recipients: ['anna@partner.example'], timeZone: 'Mars/Olympus' })
  t.match(zone.json().error.message, /unknown time zone/)
  const short = await invite(app, owner, room.id, { recipients: ['anna@partner.example'], scheduledAt: '2030-01-01T10:00:00Z', durationMinutes: 1 })
  t.equal(short.statusCode, 400)

  t.equal(smtp.messages.length, 0, 'nothing was sent')
  t.same(rows(app), [], 'nothing was recorded')
  const usage = (await app.inject({ url: '/api/invitations/usage', headers: { cookie: owner } })).json()
  t.equal(usage.user.sent, 0, 'nothing was counted')
  t.equal(usage.workspace.sent, 0)
})

t.test('CR and LF in a recipient, the message, the title or the sender name add no header and no recipient', async (t) => {
  const { smtp, app, owner } = await setup(t)
  const eve = await createMember(app, owner, 'eve@corp.example', 'Eve\r\nBcc: evil-name@attacker.example')
  const title = 'Standup\r\nBcc: evil-title@attacker.example\r\nX-Injected: title'
  const room = await newRoom(app, eve, title)

  const inRecipient = await invite(app, eve, room.id, { recipients: ['anna@partner.example\r\nBcc: evil-rcpt@attacker.example'] })
  t.equal(inRecipient.statusCode, 400, 'a recipient with a line break is not an address')
  t.equal(inRecipient.json().error.code, 'invalid_recipients')

  const res = await invite(app, eve, room.id, {
    recipients: ['anna@partner.example'],
    message: 'Hello\r\n\r\nBcc: evil-message@attacker.example\r\n.\r\nMAIL FROM:<x@attacker.example>',
    scheduledAt: '2030-03-01T10:00:00Z',
  })
  t.equal(res.statusCode, 200, res.body)
  t.equal(smtp.messages.length, 1)
  const mail = smtp.messages[0]!
  t.same(mail.envelope.to, ['anna@partner.example'], 'the only recipient')
  t.same(smtp.refused, [])
  const names = mail.message.headers.map(([name]) => name)
  t.notOk(names.includes('bcc'), 'no Bcc header')
  t.notOk(names.includes('x-injected'), 'no injected header')
  const head = mail.raw.slice(0, mail.raw.indexOf('\r\n\r\n'))
  t.notMatch(head, /^(Bcc|X-Injected):/im, 'no header line starts where the injected text was')
  t.equal(mail.message.header('subject'), 'Invitation: Standup Bcc: evil-title@attacker.example X-Injected: title', 'one line')
  t.match(mail.message.header('from'), /Eve Bcc: evil-name@attacker\.example via Veche/)
  t.same(addressesIn(mail.message.header('to')), ['anna@partner.example'])
  t.match(part(mail, 'text/plain')!.body, 'Bcc: evil-message@attacker.example', 'the message stays in the body')
  const html = part(mail, 'text/html')!.body
  t.notMatch(html, /<script|<img/i)
  const ics = parseIcs(part(mail, 'text/calendar')!.body)
  t.equal(ics.properties.filter((p) => p.name === 'ATTENDEE').length, 1, 'one attendee in the event')
  t.equal(unescapeText(ics.get('SUMMARY')!.value), 'Standup Bcc: evil-title@attacker.example X-Injected: title')
})

t.test('HTML in the message or title is shown as text', async (t) => {
  const { smtp, app, owner } = await setup(t)
  const room = await newRoom(app, owner, '<b>Bold</b> & co')
  const res = await invite(app, owner, room.id, { recipients: ['anna@partner.example'], message: '<script>alert(1)</script><img src=x onerror=alert(2)>' })
  t.equal(res.statusCode, 200)
  const html = part(smtp.messages[0]!, 'text/html')!.body
  t.notMatch(html, /<script|<img|<b>/i)
  t.match(html, '&lt;script&gt;alert(1)&lt;/script&gt;')
  t.match(html, '&lt;b&gt;Bold&lt;/b&gt; &amp; co')
})

t.test('who may invite: signed-in creators only', async (t) => {
  const { smtp, app, owner } = await setup(t)
  const room = await newRoom(app, owner, 'Board')
  const anonymous = await invite(app, undefined, room.id, { recipients: ['anna@partner.example'] })
  t.equal(anonymous.statusCode, 401, 'a guest with only the link cannot send mail')
  t.equal((await app.inject('/api/invitations/usage')).statusCode, 401)

  const anna = await createMember(app, owner, 'anna@corp.example', 'Анна')
  const notHers = await invite(app, anna, room.id, { recipients: ['x@partner.example'] })
  t.equal(notHers.statusCode, 403, 'as for its lobby and PIN: only the creator')
  t.equal(notHers.json().error.code, 'forbidden')
  const unknown = await invite(app, anna, 'no-such-room', { recipients: ['x@partner.example'] })
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.json().error.code, 'room_not_found')
  const bogus = await app.inject({ method: 'POST', url: `/api/rooms/${room.id}/invitations`, headers: { cookie: owner }, payload: { recipients: 'x' } })
  t.equal(bogus.statusCode, 400, 'a body of the wrong shape')
  t.equal(smtp.messages.length, 0)
})

t.test('once the license stops allowing meetings nothing is sent', async (t) => {
  const smtp = await startSmtpServer(t)
  const start = Math.floor(Date.now() / 1000)
  let now = start
  const app = await build(t, {
    license: { term: 'subscription', termEnd: start + 86_400 },
    licenseOverrides: { clock: () => now },
    set: mailSettings(smtp.port, []),
  })
  const owner = await createOwner(app)
  const room = await newRoom(app, owner, 'Board')
  now = start + 86_400 + 1
  t.equal((await app.license.refresh()).status, 'suspended')
  const res = await invite(app, owner, room.id, { recipients: ['anna@partner.example'] })
  t.equal(res.statusCode, 403)
  t.equal(res.json().error.code, 'license_required')
  t.equal(smtp.messages.length, 0)
  t.same(rows(app), [])
})

t.test('mail not configured: 503 naming the settings, for sending and for the usage the dialog reads', async (t) => {
  const app = await build(t)
  const owner = await createOwner(app)
  const room = await newRoom(app, owner, 'Board')
  const res = await invite(app, owner, room.id, { recipients: ['anna@partner.example'] })
  t.equal(res.statusCode, 503)
  t.equal(res.json().error.code, 'mail_not_configured')
  t.match(res.json().error.message, /mail\.smtpHost and mail\.from/)
  const usage = await app.inject({ url: '/api/invitations/usage', headers: { cookie: owner } })
  t.equal(usage.statusCode, 503)
  t.equal(usage.json().error.code, 'mail_not_configured')
  t.same(rows(app), [])

  const noFrom = await build(t, { set: ['mail.smtpHost=127.0.0.1'] })
  const owner2 = await createOwner(noFrom)
  const room2 = await newRoom(noFrom, owner2, 'Board')
  const res2 = await invite(noFrom, owner2, room2.id, { recipients: ['anna@partner.example'] })
  t.equal(res2.statusCode, 503)
  t.match(res2.json().error.message, /mail\.from must be a sender address/)
})

t.test('deleting the sender keeps the invitations, anonymised, and their count', async (t) => {
  const { app, owner } = await setup(t)
  const anna = await createMember(app, owner, 'anna@corp.example', 'Анна Иванова')
  const room = await newRoom(app, anna, 'Planning')
  t.equal((await invite(app, anna, room.id, { recipients: ['x@partner.example', 'y@partner.example'] })).statusCode, 200)
  const annaId = app.db!.prepare('SELECT id FROM users WHERE email = ?').pluck().get('anna@corp.example') as UserId
  const repo = createInvitationsRepository(app.dataLayer)
  // What account deletion does (server/privacy/erase-user.ts): anonymise, then delete the row.
  await repo.anonymiseSender(annaId, 'deleted user #1')
  await app.usersRepository.delete(annaId)
  const left = rows(app)
  t.same(left.map((r) => [r.recipient, r.sender_name, r.room_id]), [
    ['x@partner.example', 'deleted user #1', null],
    ['y@partner.example', 'deleted user #1', null],
  ], 'the room went with its owner; the rows stay without a name')
  t.equal(await repo.countWorkspaceSentSince(0), 2, 'still counted for the workspace today')
  t.equal(await repo.purgeBefore(Date.now() + 1), 2)
  t.same(rows(app), [])
})
