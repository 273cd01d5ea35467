// The README's first command: `veche serve --dev` on a fresh data folder, then the first visit creates
// the owner, a room, and two people meet, under the development license's banner. Screenshots of
// the banner (EN and RU, desktop and phone) go to $E2E_SCREENS when it is set.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { joinFromLink, launchBrowser, mediaFlows, newMeetingContext } from '../browser.ts'
import { tempDir } from '../helper.ts'
import { startServer, VECHE } from '../server-process.ts'

const OWNER = { email: 'dev@corp.example', name: 'Dev Owner', password: 'owner password 1' }
const SCREENS = process.env.E2E_SCREENS

async function screenshot(page: Page, name: string): Promise<void> {
  if (!SCREENS) return
  mkdirSync(SCREENS, { recursive: true })
  await page.screenshot({ path: join(SCREENS, `${name}.png`) })
}

const BANNER = { en: 'Development license: not for production', ru: 'Лицензия для разработки: не для эксплуатации' }

t.test('serve --dev: first visit, owner, room, two people meet under the development banner', async (t) => {
  const dataDir = tempDir(t)
  const server = await startServer(t, dataDir, ['media.workers=1'], ['--dev'])
  t.ok(server.logs.some((l) => l.level === 40 && /development license .*not for production/.test(String(l.msg))), 'the log says it is a development license')

  const browser = await launchBrowser(t, readFileSync(join(dataDir, 'tls', 'server.crt'), 'utf8'))
  const ownerContext = await newMeetingContext(browser, 'en-US')
  const owner = await ownerContext.newPage()
  await owner.goto(`${server.url}/`)
  await owner.waitForURL(`${server.url}/setup`)
  const banner = owner.locator('[data-testid=dev-banner]')
  await banner.waitFor()
  t.equal(await banner.innerText(), BANNER.en, 'the first-run page shows the banner')
  await screenshot(owner, 'dev-setup-en-desktop')

  await owner.fill('#setup-form input[name=email]', OWNER.email)
  await owner.fill('#setup-form input[name=displayName]', OWNER.name)
  await owner.fill('#setup-form input[name=password]', OWNER.password)
  await owner.click('#setup-form [type=submit]')
  await owner.waitForURL(`${server.url}/rooms`)
  t.equal(await owner.locator('[data-testid=license-notice]').count(), 0, 'no "no active license" notice')
  await owner.fill('#create-room-form input[name=title]', 'First meeting')
  await owner.click('#create-room-form [type=submit]')
  const link = await owner.locator('[data-testid=room-item] a[data-testid=room-link]').first().getAttribute('href')
  t.ok(link, 'a room was created')
  await screenshot(owner, 'dev-rooms-en-desktop')

  const readyz = await owner.evaluate(async () => (await fetch('/readyz')).json())
  t.match(readyz, { status: 'ready', checks: { license: { ok: true, kind: 'development', message: /not for production/ } } }, '/readyz says so')

  await owner.goto(`${server.url}/license`)
  t.match(await owner.locator('[data-testid=license-kind]').innerText(), /Development license \(veche serve --dev\): not for production/)
  await screenshot(owner, 'dev-license-en-desktop')

  await joinFromLink(owner, link!)
  const guestContext = await newMeetingContext(browser, 'ru-RU')
  const guest = await guestContext.newPage()
  await joinFromLink(guest, link!, 'Гость')
  for (const [who, page] of Object.entries({ owner, guest })) {
    await page.locator('[data-testid=tile]:not([data-self])').first().waitFor({ timeout: 20_000 })
    const { after } = await mediaFlows(page)
    t.ok(after.audioBytes > 0 && after.videoBytes > 0 && after.framesDecoded > 0, `${who} receives audio and video: ${JSON.stringify(after)}`)
    t.ok(await page.locator('[data-testid=dev-banner]').isVisible(), `${who} sees the banner in the meeting`)
  }
  t.equal(await guest.locator('[data-testid=dev-banner]').innerText(), BANNER.ru, 'in Russian for the Russian guest')
  await screenshot(owner, 'dev-meeting-en-desktop')
  await screenshot(guest, 'dev-meeting-ru-desktop')
  t.ok(
    await guest.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight),
    'the meeting still fits the window under the banner (no scrolling)',
  )

  // Phones: the same banner, one line, in both languages.
  for (const [lang, locale] of [['ru', 'ru-RU'], ['en', 'en-US']] as const) {
    const phone = await browser.newContext({ locale, viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, permissions: ['camera', 'microphone'] })
    const page = await phone.newPage()
    await page.goto(link!)
    await page.locator('[data-testid=dev-banner]').waitFor()
    t.equal(await page.locator('[data-testid=dev-banner]').innerText(), BANNER[lang], `${lang} phone banner`)
    const box = (await page.locator('[data-testid=dev-banner]').boundingBox())!
    t.ok(box.height <= 30 && box.width <= 375, `one line across the phone (${box.width}x${box.height})`)
    const whole = await page.locator('[data-testid=dev-banner] strong').evaluate((e) => e.scrollWidth <= e.clientWidth)
    t.ok(whole, `${lang}: the whole line fits, not cut short`)
    await page.locator('video[data-testid=preview]').waitFor()
    await screenshot(page, `dev-prejoin-${lang}-phone`)
    await page.goto(`${server.url}/signin`)
    await page.locator('[data-testid=dev-banner]').waitFor()
    await screenshot(page, `dev-signin-${lang}-phone`)
    await phone.close()
  }

  await owner.click('[data-testid=leave]')
  await guest.click('[data-testid=leave]')
  t.equal(await server.stop(), 0, 'the server stops cleanly')
  const shown = spawnSync(VECHE, ['license', 'show', '--set', `data.dir=${dataDir}`], { encoding: 'utf8' })
  t.equal(shown.status, 0, 'veche license show: active')
  t.match(shown.stdout, /^status:\s+active\nkind:\s+Development license \(veche serve --dev\): not for production\n/, 'and says it is a development license')

  // A second start keeps the license it installed.
  const again = await startServer(t, dataDir, ['media.workers=1'], ['--dev'])
  t.ok(again.logs.some((l) => /development license .*not for production/.test(String(l.msg))), 'still the development license')
  await again.stop()
})
