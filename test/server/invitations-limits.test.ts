import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, createMember, createOwner } from '../helper.ts'
import { mailSettings, startSmtpServer } from '../smtp-server.ts'

const HOUR = 60 * 60 * 1000

async function setup(t: Test) {
  const smtp = await startSmtpServer(t)
  const app = await build(t, { set: mailSettings(smtp.port, ['mail.perUserDaily=3', 'mail.workspaceDaily=5', 'mail.maxRecipients=10']) })
  const owner = await createOwner(app)
  return { smtp, app, owner }
}

async function roomOf(app: FastifyInstance, cookie: string, title: string): Promise<string> {
  return (await app.inject({ method: 'POST', url: '/api/rooms', headers: { cookie }, payload: { title } })).json().room.id
}

const invite = (app: FastifyInstance, cookie: string, room: string, recipients: string[]) =>
  app.inject({ method: 'POST', url: `/api/rooms/${room}/invitations`, headers: { cookie }, payload: { recipients } })

const usage = async (app: FastifyInstance, cookie: string) => (await app.inject({ url: '/api/invitations/usage', headers: { cookie } })).json()

const guests = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}@partner.example`)

const refusals = async (app: FastifyInstance) => (await app.auditRepository.list()).entries.filter((e) => e.action === 'invitation.refused')

t.test('the per-user daily limit refuses with 429, Retry-After and an audit entry, and sends nothing', async (t) => {
  const { smtp, app, owner } = await setup(t)
  const room = await roomOf(app, owner, 'Совет директоров')
  t.equal((await invite(app, owner, room, guests('a', 2))).statusCode, 200)

  const over = await invite(app, owner, room, guests('b', 2))
  t.equal(over.statusCode, 429)
  t.equal(over.json().error.code, 'invitation_limit')
  t.match(over.json().error.message, /^your daily invitation limit is 3 recipients in 24 hours: 2 used, 1 left, this invitation has 2; room for 2 frees up at \d{4}-\d\d-\d\d \d\d:\d\d UTC \(nothing was sent\)$/)
  const retryAfter = Number(over.headers['retry-after'])
  t.ok(retryAfter > 24 * 3600 - 120 && retryAfter <= 24 * 3600, `Retry-After ${retryAfter} s: when the first of today's sends is a day old`)
  t.equal(smtp.messages.length, 2, 'nothing more was sent')

  const [entry] = await refusals(app)
  t.match(entry, { actorName: 'Ольга Владелец', targetId: room, targetName: 'Совет директоров', detail: { reason: 'user_daily_limit', recipients: 2 } }, 'the owner sees it in the audit log')
  const statuses = app.db!.prepare('SELECT status, reason FROM invitations ORDER BY id').all()
  t.same(statuses, [
    { status: 'sent', reason: null },
    { status: 'sent', reason: null },
    { status: 'refused', reason: 'user_daily_limit' },
    { status: 'refused', reason: 'user_daily_limit' },
  ])

  t.equal((await invite(app, owner, room, guests('c', 1))).statusCode, 200, 'what still fits is sent')
  const full = await usage(app, owner)
  t.same(full.user.sent, 3)
  t.ok(full.user.freesAt > Date.now() + 23 * HOUR, 'the dialog can say when one more frees up')

  const tooBig = await invite(app, owner, room, guests('d', 4))
  t.equal(tooBig.statusCode, 429)
  t.match(tooBig.json().error.message, /cannot be larger than the limit: send to at most 3, or ask the administrator to raise mail\.perUserDaily/)
  t.equal(tooBig.headers['retry-after'], undefined, 'waiting would not help')
})

t.test('sends older than 24 hours no longer count, and Retry-After says when the oldest ages out', async (t) => {
  const { app, owner } = await setup(t)
  const room = await roomOf(app, owner, 'Standup')
  t.equal((await invite(app, owner, room, guests('a', 3))).statusCode, 200)
  // As if the first was sent 23 hours ago, the other two 25 hours ago.
  const ids = app.db!.prepare("SELECT id FROM invitations WHERE status = 'sent' ORDER BY id").pluck().all() as number[]
  app.db!.prepare('UPDATE invitations SET sent_at = ? WHERE id = ?').run(Date.now() - 23 * HOUR, ids[0])
  app.db!.prepare('UPDATE invitations SET sent_at = ? WHERE id IN (?, ?)').run(Date.now() - 25 * HOUR, ids[1], ids[2])
  t.equal((await usage(app, owner)).user.sent, 1)

  t.equal((await invite(app, owner, room, guests('b', 2))).statusCode, 200, 'two fit again')
  const over = await invite(app, owner, room, guests('c', 1))
  t.equal(over.statusCode, 429)
  const retryAfter = Number(over.headers['retry-after'])
  t.ok(retryAfter > HOUR / 1000 - 120 && retryAfter <= HOUR / 1000, `Retry-After ${retryAfter} s: the 23-hour-old send frees a place in an hour`)
})

t.test('the workspace limit counts everyone and says so', async (t) => {
  const { smtp, app, owner } = await setup(t)
  const anna = await createMember(app, owner, 'anna@corp.example', 'Анна')
  const ownerRoom = await roomOf(app, owner, 'Board')
  const annaRoom = await roomOf(app, anna, 'Sales')
  t.equal((await invite(app, owner, ownerRoom, guests('o', 3))).statusCode, 200)
  t.equal((await invite(app, anna, annaRoom, guests('a', 2))).statusCode, 200)

  const over = await invite(app, anna, annaRoom, guests('b', 1))
  t.equal(over.statusCode, 429)
  t.match(over.json().error.message, /^the workspace's daily invitation limit is 5 recipients in 24 hours: 5 used, 0 left/)
  t.ok(Number(over.headers['retry-after']) > 0)
  t.equal(smtp.messages.length, 5)
  t.match((await refusals(app))[0], { actorName: 'Анна', targetId: annaRoom, detail: { reason: 'workspace_daily_limit', recipients: 1 } })

  const annaUsage = await usage(app, anna)
  t.same(annaUsage.user, { sent: 2, limit: 3, freesAt: null })
  t.equal(annaUsage.workspace.sent, 5)
  t.equal(annaUsage.workspace.limit, 5)
  t.ok(annaUsage.workspace.freesAt > Date.now())
})

t.test('deleting a room does not give the day’s quota back', async (t) => {
  const { app, owner } = await setup(t)
  const room = await roomOf(app, owner, 'Temp')
  t.equal((await invite(app, owner, room, guests('a', 3))).statusCode, 200)
  t.equal((await app.inject({ method: 'DELETE', url: `/api/rooms/${room}`, headers: { cookie: owner, 'content-type': 'application/json' } })).statusCode, 204)
  const again = await roomOf(app, owner, 'Temp 2')
  t.equal((await invite(app, owner, again, guests('b', 1))).statusCode, 429)
})

t.test('two invitations at once cannot both squeeze under the limit', async (t) => {
  const { smtp, app, owner } = await setup(t)
  const room = await roomOf(app, owner, 'Race')
  const [first, second] = await Promise.all([invite(app, owner, room, guests('a', 2)), invite(app, owner, room, guests('b', 2))])
  t.same([first.statusCode, second.statusCode].sort(), [200, 429])
  t.equal(smtp.messages.length, 2)
})
