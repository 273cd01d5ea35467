// Lobby and host controls in real browsers through the real appliance: a guest waits in the lobby
// until the host admits them, then the host mutes everyone and the guest's microphone goes quiet.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { inboundTotals, launchBrowser, mediaFlows, newMeetingContext, signIn } from '../browser.ts'
import { tempDir } from '../helper.ts'
import { prepareDataDir } from '../license-helper.ts'
import { startServer } from '../server-process.ts'

const OWNER = { email: 'olga@corp.example', name: 'Ольга', password: 'owner password 1' }

t.test('a guest waits in the lobby, is admitted, and is muted with everyone else', async (t) => {
  const dataDir = tempDir(t)
  await prepareDataDir(dataDir, OWNER)
  const server = await startServer(t, dataDir, ['media.workers=1'])
  const browser = await launchBrowser(t, readFileSync(join(dataDir, 'tls', 'server.crt'), 'utf8'))

  // Olga creates a room and, on the rooms page, makes guests wait in the lobby.
  const olga = await (await newMeetingContext(browser, 'ru-RU')).newPage()
  await signIn(olga, server.url, OWNER.email, OWNER.password)
  await olga.fill('#create-room-form input[name=title]', 'Планёрка')
  await olga.click('#create-room-form [type=submit]')
  const item = olga.locator('[data-testid=room-item]').first()
  const link = (await item.locator('a[data-testid=room-link]').getAttribute('href'))!
  await item.locator('.room-card__access summary').click()
  await item.locator('[data-testid=room-lobby]').selectOption('guests')
  await item.locator('[data-testid=room-access] [type=submit]').click()
  await item.getByText('Сохранено').waitFor()

  await olga.goto(link)
  await olga.locator('video[data-testid=preview]').waitFor()
  await olga.click('[data-testid=join]')
  await olga.locator('[data-testid=tile][data-self]').waitFor()

  // The guest asks to join and waits: no meeting yet.
  const guest = await (await newMeetingContext(browser, 'en-US')).newPage()
  await guest.goto(link)
  await guest.fill('input[name=displayName]', 'Guest Gregory')
  await guest.locator('video[data-testid=preview]').waitFor()
  await guest.click('[data-testid=join]')
  await guest.locator('[data-testid=lobby-waiting]').waitFor({ timeout: 15_000 })
  t.match(await guest.locator('[data-testid=lobby-waiting]').innerText(), /Waiting for a host/)
  t.equal(await olga.locator('[data-testid=tile]:not([data-self])').count(), 0, 'the waiting guest is not in the meeting')

  // Olga sees the queue live and admits the guest.
  await olga.locator('[data-testid=participants-badge]:not([hidden])').waitFor({ timeout: 10_000 })
  await olga.click('[data-testid=toggle-participants]')
  const entry = olga.locator('[data-testid=lobby-entry]', { hasText: 'Guest Gregory' })
  await entry.waitFor()
  await entry.locator('[data-testid=admit]').click()
  await guest.locator('[data-testid=lobby-waiting]').waitFor({ state: 'hidden', timeout: 15_000 })
  await olga.locator('[data-testid=tile]:not([data-self])').first().waitFor({ timeout: 15_000 })
  await guest.locator('[data-testid=tile]:not([data-self])').first().waitFor({ timeout: 15_000 })
  await mediaFlows(olga)
  t.equal(await guest.locator('[data-testid=toggle-mic]').getAttribute('aria-pressed'), 'true', 'the guest talks')

  // Olga mutes everyone: the guest's microphone shows muted and no more audio reaches Olga.
  await olga.click('[data-testid=mute-all]')
  await guest.waitForFunction(() => document.querySelector('[data-testid=toggle-mic]')?.getAttribute('aria-pressed') === 'false', null, { timeout: 10_000 })
  t.pass('the guest sees the microphone muted')
  await olga.locator('[data-testid=participant][data-guest] .person__mic').waitFor({ timeout: 10_000 })
  t.pass('the host sees the guest muted')
  await olga.waitForTimeout(1500)
  const before = await inboundTotals(olga)
  await olga.waitForTimeout(2500)
  const after = await inboundTotals(olga)
  t.ok(after.audioBytes - before.audioBytes < 300, `the guest's audio stopped at the host: ${before.audioBytes} -> ${after.audioBytes}`)
  t.ok(after.framesDecoded > before.framesDecoded, 'video goes on')
  t.equal(await olga.locator('[data-testid=toggle-mic]').getAttribute('aria-pressed'), 'true', 'mute all leaves the host alone')

  await guest.click('[data-testid=leave]')
  await olga.click('[data-testid=leave]')
  t.equal(await server.stop(), 0)
})
