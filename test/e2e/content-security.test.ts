// The web client under its strict Content-Security-Policy in real Chromium against the real server:
// first run, sign-in, rooms, a meeting with camera and microphone, and every admin
// page. Not one `securitypolicyviolation` may happen, and the console stays free of CSP complaints.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { launchBrowser, newMeetingContext, signIn } from '../browser.ts'
import { tempDir } from '../helper.ts'
import { seedActivatedLicense } from '../license-helper.ts'
import { startServer } from '../server-process.ts'

const OWNER = { email: 'olga@corp.example', name: 'Ольга', password: 'owner password 1' }

/** Collects every CSP violation the page's documents report, before any of the page's own script runs. */
const RECORD_VIOLATIONS = `(() => {
  window.__cspViolations = []
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber)
  })
})()`

/** watch records violations and CSP console messages of every page of `context` into `found`. */
async function watch(context: BrowserContext, found: string[]): Promise<void> {
  await context.addInitScript(RECORD_VIOLATIONS)
  context.on('page', (page) => {
    page.on('console', (message) => {
      if (/Content.Security.Policy|Permissions.Policy/i.test(message.text())) found.push(`console: ${message.text()}`)
    })
  })
}

/** violations reads what the current document recorded (a navigation starts a fresh list). */
async function violations(page: Page, where: string): Promise<string[]> {
  const list = await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations)
  return list.map((v) => `${where}: ${v}`)
}

t.test('every page works under the CSP with no violation', async (t) => {
  // A licensed appliance without an owner yet, so the first-run page is shown.
  const dataDir = tempDir(t)
  await seedActivatedLicense(dataDir)
  const server = await startServer(t, dataDir, ['media.workers=1'])
  const browser = await launchBrowser(t, readFileSync(join(dataDir, 'tls', 'server.crt'), 'utf8'))
  const found: string[] = []
  const context = await newMeetingContext(browser, 'en-US')
  await watch(context, found)
  const page = await context.newPage()

  const headers = (await page.goto(`${server.url}/`))!.headers()
  t.match(headers['content-security-policy'], /script-src 'self'/, 'the page is served with the policy')

  // First run: the owner form.
  await page.waitForURL(`${server.url}/setup`)
  await page.fill('#setup-form input[name=email]', OWNER.email)
  await page.fill('#setup-form input[name=displayName]', OWNER.name)
  await page.fill('#setup-form input[name=password]', OWNER.password)
  await page.click('#setup-form [type=submit]')
  await page.waitForURL(`${server.url}/rooms`)
  found.push(...(await violations(page, 'setup and rooms')))

  // Sign out (a bodyless POST) and in again through the sign-in form.
  await page.click('[data-testid=signout]')
  await page.waitForURL(/\/signin/)
  await signIn(page, server.url, OWNER.email, OWNER.password)
  found.push(...(await violations(page, 'sign-in')))

  // A room, a meeting with camera and microphone, screen sharing, the chat, and leaving it.
  await page.fill('#create-room-form input[name=title]', 'Planning')
  await page.click('#create-room-form [type=submit]')
  const link = (await page.locator('[data-testid=room-link]').first().getAttribute('href'))!
  await page.goto(link)
  await page.locator('video[data-testid=preview]').waitFor()
  await page.click('[data-testid=join]')
  await page.locator('[data-testid=tile][data-self]').waitFor()
  await page.waitForTimeout(1500)
  found.push(...(await violations(page, 'meeting')))
  await page.click('[data-testid=leave]')
  await page.waitForTimeout(500)
  found.push(...(await violations(page, 'meeting left')))

  // Rooms again: deleting the room is a bodyless DELETE.
  await page.goto(`${server.url}/rooms`)
  page.once('dialog', (dialog) => void dialog.accept())
  await page.locator('[data-testid=room-delete]').first().click()
  await page.locator('[data-testid=rooms-empty]').waitFor()
  found.push(...(await violations(page, 'rooms')))

  // Every admin page (the users list draws avatars with computed colours; statistics draws bars).
  for (const path of ['/users', '/audit', '/license', '/recordings', '/meetings', '/statistics']) {
    await page.goto(`${server.url}${path}`)
    await page.waitForLoadState('networkidle')
    t.equal(new URL(page.url()).pathname, path, `${path} opens`)
    found.push(...(await violations(page, path)))
  }
  // The usage bars and avatars got their styles (set through CSSOM, which the policy allows).
  await page.goto(`${server.url}/users`)
  const hue = await page.locator('[data-testid=user-item] .avatar').first().evaluate((e) => (e as HTMLElement).style.getPropertyValue('--hue'))
  t.match(hue, /^\s*\d+/, 'the avatar colour is applied')
  found.push(...(await violations(page, '/users')))

  t.same(found, [], 'no CSP violation anywhere')
})
