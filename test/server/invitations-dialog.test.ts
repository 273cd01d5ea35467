// The "Invite by e-mail" dialog in real Chromium against the real app and a real SMTP server: a bad
// address is caught before sending, then a calendar invitation goes out in the chosen language.
import t from 'tap'
import { join } from 'node:path'
import { ensureLocalTls } from '../../server/tls/local-ca.ts'
import { launchBrowser, signIn } from '../browser.ts'
import { build, createOwner, OWNER, tempDir } from '../helper.ts'
import { leaves, mailSettings, parseIcs, startSmtpServer } from '../smtp-server.ts'

t.test('an employee invites two people with a calendar event from the rooms page', async (t) => {
  const smtp = await startSmtpServer(t)
  const tls = ensureLocalTls(join(tempDir(t), 'tls'), ['127.0.0.1'])
  const app = await build(t, { https: tls, set: mailSettings(smtp.port) })
  const owner = await createOwner(app)
  await app.inject({ method: 'POST', url: '/api/rooms', headers: { cookie: owner }, payload: { title: 'Планёрка' } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const base = `https://127.0.0.1:${(app.server.address() as { port: number }).port}`

  const browser = await launchBrowser(t, tls.cert)
  const page = await (await browser.newContext({ locale: 'en-US', timezoneId: 'Europe/Moscow' })).newPage()
  await signIn(page, base, OWNER.email, OWNER.password)
  await page.click('[data-testid=room-invite]')
  const dialog = page.locator('[data-testid=invite-dialog]')
  await dialog.locator('[data-testid=invite-quota]', { hasText: 'You can invite 100 more people today.' }).waitFor()

  await dialog.locator('[data-testid=invite-recipients]').fill('Anna Petrova <anna@partner.example>; boris@partner.example\nnot-an-address')
  t.match(await dialog.locator('[data-testid=invite-count]').innerText(), /2 recipients · Not an e-mail address: not-an-address/)
  await dialog.locator('[data-testid=invite-send]').click()
  t.match(await dialog.locator('[data-testid=invite-error]').innerText(), /Not an e-mail address: not-an-address/)
  t.equal(smtp.messages.length, 0, 'caught before anything was sent')

  await dialog.locator('[data-testid=invite-recipients]').fill('Anna Petrova <anna@partner.example>; boris@partner.example')
  await dialog.locator('[data-testid=invite-calendar]').check()
  await dialog.locator('[data-testid=invite-date]').fill('2030-01-15')
  await dialog.locator('[data-testid=invite-time]').fill('12:30')
  await dialog.locator('[data-testid=invite-duration]').selectOption('90')
  await dialog.locator('[data-testid=invite-message]').fill('See you there')
  await dialog.locator('[data-testid=invite-lang]').selectOption('ru')
  await dialog.locator('[data-testid=invite-send]').click()
  await dialog.locator('[data-testid=invite-sent]', { hasText: 'Sent to 2 people.' }).waitFor()
  t.match(await dialog.locator('[data-testid=invite-quota]').innerText(), /You can invite 98 more people today/)
  t.equal(await dialog.locator('[data-testid=invite-recipients]').inputValue(), '', 'cleared for the next ones')

  t.same(smtp.messages.map((m) => m.envelope.to), [['anna@partner.example'], ['boris@partner.example']])
  const mail = smtp.messages[0]!
  t.equal(mail.message.header('subject'), 'Приглашение: Планёрка', 'in the language chosen for the e-mail')
  const ics = parseIcs(leaves(mail.message).find((p) => p.type === 'text/calendar')!.body)
  t.equal(ics.get('DTSTART')!.value, '20300115T093000Z', '12:30 in Moscow is 09:30 UTC')
  t.equal(ics.get('DTEND')!.value, '20300115T110000Z')
  t.match(leaves(mail.message).find((p) => p.type === 'text/plain')!.body, /See you there[\s\S]*\(Europe\/Moscow\)|\(Europe\/Moscow\)[\s\S]*See you there/)

  await dialog.getByRole('button', { name: 'Close' }).click()
  // A <dialog>'s close event (which removes it) comes as a task after close().
  await page.locator('[data-testid=invite-dialog]').waitFor({ state: 'detached', timeout: 5000 })
  t.equal(await page.locator('[data-testid=invite-dialog]').count(), 0, 'the dialog is gone once closed')
})
