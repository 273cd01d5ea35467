// Account administration in a real browser against the real server: the owner blocks a member on the
// Users page, the member's open page is signed out at its next request, and the owner reads the audit log.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { launchBrowser, signIn } from '../browser.ts'
import { tempDir } from '../helper.ts'
import { prepareDataDir } from '../license-helper.ts'
import { startServer } from '../server-process.ts'

const OWNER = { email: 'olga@corp.example', name: 'Ольга', password: 'owner password 1' }
const MEMBER = { email: 'boris@corp.example', name: 'Boris Petrov', password: 'member password 1' }

t.test('an owner blocks a member, who is signed out, and finds it in the audit log', async (t) => {
  const dataDir = tempDir(t)
  await prepareDataDir(dataDir, OWNER)
  const server = await startServer(t, dataDir, ['media.workers=1'])
  const browser = await launchBrowser(t, readFileSync(join(dataDir, 'tls', 'server.crt'), 'utf8'))

  // Olga adds Boris on the Users page; Boris signs in on his own machine.
  const olga = await (await browser.newContext({ locale: 'en-US' })).newPage()
  await signIn(olga, server.url, OWNER.email, OWNER.password)
  await olga.click('[data-testid=nav-admin]')
  await olga.fill('#create-user-form input[name=email]', MEMBER.email)
  await olga.fill('#create-user-form input[name=displayName]', MEMBER.name)
  await olga.fill('#create-user-form input[name=password]', MEMBER.password)
  await olga.click('#create-user-form [type=submit]')
  const row = olga.locator('[data-testid=user-item]', { hasText: MEMBER.email })
  await row.waitFor()
  const boris = await (await browser.newContext({ locale: 'en-US' })).newPage()
  await signIn(boris, server.url, MEMBER.email, MEMBER.password)

  // Olga blocks him, confirming in the dialog.
  await row.locator('[data-testid=user-block]').click()
  const dialog = olga.locator('[data-testid=block-dialog]')
  t.match(await dialog.innerText(), /Block Boris Petrov\?[\s\S]*signed out on every device/)
  await dialog.locator('[data-testid=dialog-confirm]').click()
  await row.locator('[data-testid=user-blocked]').waitFor()
  t.equal(await row.locator('[data-testid=user-unblock]').count(), 1, 'the row now offers to unblock')
  t.match(await olga.locator('[data-testid=users-outcome]').innerText(), /Boris Petrov is blocked and signed out/)

  // Boris's page finds itself signed out at its next request, and signing in again is refused.
  await boris.reload()
  await boris.waitForURL(/\/signin/)
  await boris.fill('#signin-form input[name=email]', MEMBER.email)
  await boris.fill('#signin-form input[name=password]', MEMBER.password)
  await boris.click('#signin-form [type=submit]')
  await boris.locator('[data-testid=form-error]:not([hidden])').waitFor()
  t.match(await boris.locator('[data-testid=form-error]').innerText(), /blocked/i)
  t.match(boris.url(), /\/signin/)

  // The audit log, newest first, in words.
  await olga.click('[data-testid=nav-audit]')
  const entries = olga.locator('[data-testid=audit-entry]')
  await entries.first().waitFor()
  t.same(await entries.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action'))), ['user.blocked', 'user.created'])
  t.match(await entries.first().innerText(), /Ольга\s+blocked Boris Petrov/)
  t.match(await entries.nth(1).innerText(), /added Boris Petrov as Member/)
})
