import t, { type Test } from 'tap'
import { createServer, type Socket } from 'node:net'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { ensureLocalTls } from '../../server/tls/local-ca.ts'
import { build, createOwner, tempDir } from '../helper.ts'
import { closedPort, mailSettings, startSmtpServer } from '../smtp-server.ts'

async function appWith(t: Test, set: string[]) {
  const app = await build(t, { set })
  const owner = await createOwner(app)
  const room = (await app.inject({ method: 'POST', url: '/api/rooms', headers: { cookie: owner }, payload: { title: 'Sync' } })).json().room as { id: string }
  const invite = (recipients: string[]) =>
    app.inject({ method: 'POST', url: `/api/rooms/${room.id}/invitations`, headers: { cookie: owner }, payload: { recipients } })
  const usage = async () => (await app.inject({ url: '/api/invitations/usage', headers: { cookie: owner } })).json()
  return { app, owner, room, invite, usage }
}

const statuses = (app: FastifyInstance) =>
  app.db!.prepare('SELECT recipient, status, reason FROM invitations ORDER BY id').all() as { recipient: string; status: string; reason: string | null }[]

// A CA and a server certificate for 127.0.0.1, made by the appliance's own node-forge CA code.
function testCa(t: Test) {
  const dir = join(tempDir(t), 'tls')
  const tls = ensureLocalTls(dir, ['127.0.0.1'])
  return { key: tls.key, cert: tls.cert, caFile: join(dir, 'ca.crt') }
}

t.test('STARTTLS: required, checked against mail.caFile, and the message goes over TLS', async (t) => {
  const ca = testCa(t)
  const smtp = await startSmtpServer(t, { tls: { key: ca.key, cert: ca.cert } })

  const trusted = await appWith(t, mailSettings(smtp.port, ['mail.startTls=required', `mail.caFile=${ca.caFile}`]))
  const ok = await trusted.invite(['anna@partner.example'])
  t.equal(ok.statusCode, 200, ok.body)
  t.equal(smtp.messages.length, 1)
  t.equal(smtp.messages[0]!.secure, true, 'upgraded with STARTTLS before the message')

  const untrusted = await appWith(t, mailSettings(smtp.port, ['mail.startTls=required']))
  const refused = await untrusted.invite(['boris@partner.example'])
  t.equal(refused.statusCode, 502, 'a certificate the system does not trust is refused')
  t.equal(refused.json().error.code, 'mail_failed')
  t.match(refused.json().error.message, /TLS with the SMTP server 127\.0\.0\.1:\d+ failed .*certificate.*check mail\.caFile/)
  t.equal(smtp.messages.length, 1, 'nothing sent in the clear instead')
  t.same(statuses(untrusted.app).map((r) => r.status), ['failed'])
  t.equal((await untrusted.usage()).user.sent, 0, 'a failure is not counted')
})

t.test('implicit TLS (mail.secure) with the custom CA', async (t) => {
  const ca = testCa(t)
  const smtp = await startSmtpServer(t, { tls: { key: ca.key, cert: ca.cert }, secure: true })
  const { invite } = await appWith(t, mailSettings(smtp.port, ['mail.secure=true', `mail.caFile=${ca.caFile}`]))
  const res = await invite(['anna@partner.example'])
  t.equal(res.statusCode, 200, res.body)
  t.equal(smtp.messages[0]!.secure, true)
})

t.test('STARTTLS required but not offered: nothing is sent in the clear', async (t) => {
  const smtp = await startSmtpServer(t)
  const { invite } = await appWith(t, mailSettings(smtp.port, ['mail.startTls=required']))
  const res = await invite(['anna@partner.example'])
  t.equal(res.statusCode, 502)
  t.match(res.json().error.message, /does not offer STARTTLS.*mail\.startTls to off/)
  t.equal(smtp.messages.length, 0)
})

t.test('SMTP sign-in: the right password sends, a wrong one names mail.user and mail.password', async (t) => {
  const ca = testCa(t)
  const smtp = await startSmtpServer(t, { tls: { key: ca.key, cert: ca.cert }, auth: { user: 'veche', pass: 's3cret' } })
  const base = ['mail.startTls=required', `mail.caFile=${ca.caFile}`, 'mail.user=veche']
  const right = await appWith(t, mailSettings(smtp.port, [...base, 'mail.password=s3cret']))
  t.equal((await right.invite(['anna@partner.example'])).statusCode, 200)
  t.equal(smtp.messages[0]!.user, 'veche')

  const wrong = await appWith(t, mailSettings(smtp.port, [...base, 'mail.password=nope']))
  const res = await wrong.invite(['anna@partner.example'])
  t.equal(res.statusCode, 502)
  t.match(res.json().error.message, /refused the sign-in.*535.*check mail\.user and mail\.password/)
  t.equal(smtp.messages.length, 1)
})

t.test('SMTP server down: 502 naming the server and the settings; every recipient recorded as failed', async (t) => {
  const port = await closedPort(t)
  const { app, invite, usage } = await appWith(t, mailSettings(port))
  const res = await invite(['anna@partner.example', 'boris@partner.example'])
  t.equal(res.statusCode, 502)
  t.equal(res.json().error.code, 'mail_failed')
  t.match(res.json().error.message, new RegExp(`cannot talk to the SMTP server 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\): check mail\\.smtpHost and mail\\.smtpPort`))
  t.same(statuses(app).map((r) => [r.recipient, r.status]), [
    ['anna@partner.example', 'failed'],
    ['boris@partner.example', 'failed'],
  ])
  t.match(statuses(app)[0]!.reason, /ECONNREFUSED/)
  t.equal((await usage()).user.sent, 0)
})

t.test('an SMTP server that never answers: refused after mail.timeoutSeconds', async (t) => {
  const sockets = new Set<Socket>()
  const silent = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
  })
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    for (const s of sockets) s.destroy()
    silent.close()
  })
  const port = (silent.address() as { port: number }).port
  const { invite } = await appWith(t, mailSettings(port, ['mail.timeoutSeconds=1']))
  const res = await invite(['anna@partner.example'])
  t.equal(res.statusCode, 502)
  t.match(res.json().error.message, /did not answer within 1 s/)
})

t.test('a recipient the SMTP server refuses is reported; the others are sent', async (t) => {
  const smtp = await startSmtpServer(t, { refuse: (address) => address.startsWith('nobody@') })
  const { app, invite, usage } = await appWith(t, mailSettings(smtp.port))
  const res = await invite(['anna@partner.example', 'nobody@partner.example', 'boris@partner.example'])
  t.equal(res.statusCode, 200, res.body)
  const body = res.json()
  t.equal(body.sent, 2)
  t.match(body.results[1], { recipient: 'nobody@partner.example', status: 'refused', reason: /550/ })
  t.same(smtp.messages.map((m) => m.envelope.to), [['anna@partner.example'], ['boris@partner.example']])
  t.same(statuses(app).map((r) => r.status), ['sent', 'refused', 'sent'])
  t.equal((await usage()).user.sent, 2, 'only accepted messages count')

  const allRefused = await invite(['nobody@partner.example'])
  t.equal(allRefused.statusCode, 502, 'nothing accepted at all')
  t.match(allRefused.json().error.message, /refused the addresses.*550/)
})
