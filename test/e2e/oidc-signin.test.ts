// Corporate sign-in in a real browser: the employee clicks the SSO button on Veche's sign-in page,
// signs in on the provider's page, and lands on the rooms page signed in; cancelling at the provider
// brings them back to the sign-in page with the reason.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { launchBrowser } from '../browser.ts'
import { tempDir } from '../helper.ts'
import { freePort } from '../kits.ts'
import { prepareDataDir } from '../license-helper.ts'
import { startOidcProvider } from '../oidc-provider.ts'
import { startServer } from '../server-process.ts'

t.test('an employee signs in with the corporate account and lands on the rooms page', async (t) => {
  const dataDir = tempDir(t)
  // The workspace has its local owner (first-run setup); employees come through SSO.
  await prepareDataDir(dataDir, { email: 'olga@corp.example', name: 'Ольга', password: 'owner password 1' }, { features: ['recording', 'sso'] })

  // The provider registers Veche's callback before Veche starts, so Veche's port is chosen first.
  const port = await freePort()
  const base = `https://127.0.0.1:${port}`
  const provider = await startOidcProvider(t, {
    clients: [{ clientId: 'veche', clientSecret: 'e2e secret', redirectUris: [`${base}/api/auth/oidc/callback`] }],
    accounts: [{ login: 'anna', password: 'anna pw', email: 'anna@corp.example', name: 'Анна Корпоративная', groups: ['veche-admins'] }],
  })
  const server = await startServer(t, dataDir, [
    `server.port=${port}`,
    'media.workers=1',
    `oidc.issuer=${provider.issuer}`,
    'oidc.clientId=veche',
    'oidc.clientSecret=e2e secret',
    `oidc.caFile=${provider.caFile}`,
    'oidc.displayName=Corp SSO',
    'oidc.adminValues=veche-admins',
  ])
  t.equal(server.url, base)

  // Chromium trusts exactly Veche's certificate and the provider's.
  const trusted = [readFileSync(join(dataDir, 'tls', 'server.crt'), 'utf8'), provider.cert]
  const browser = await launchBrowser(t, trusted)

  const page = await (await browser.newContext({ locale: 'en-US' })).newPage()
  await page.goto(`${base}/signin`)
  const button = page.locator('[data-testid=sso-button]')
  t.equal(await button.innerText(), 'Sign in with Corp SSO')
  await button.click()
  await page.waitForURL(`${provider.issuer}/interaction/**`)
  await page.fill('#provider-login input[name=login]', 'anna')
  await page.fill('#provider-login input[name=password]', 'anna pw')
  await page.click('#provider-login [type=submit]')
  await page.waitForURL(`${base}/rooms`)
  const me = await page.evaluate(() => fetch('/api/auth/me').then((r) => r.json()))
  t.match(me, { user: { email: 'anna@corp.example', displayName: 'Анна Корпоративная', role: 'admin', authSource: 'oidc' } })
  t.ok(server.logs.some((l) => l.msg === 'oidc sign-in'), 'the sign-in is logged')

  // Cancelling at the provider: back on Veche's sign-in page, told why, in Russian.
  const other = await (await browser.newContext({ locale: 'ru-RU' })).newPage()
  await other.goto(`${base}/signin`)
  await other.click('[data-testid=sso-button]')
  await other.click('#provider-cancel')
  await other.waitForURL(`${base}/signin`)
  t.match(await other.locator('[data-testid=sso-error]').innerText(), /Вход отменён/)
  t.ok(server.logs.some((l) => l.msg === 'oidc sign-in failed' && l.code === 'sso_denied'), 'the refusal is logged with its cause')
  t.equal(await server.stop(), 0)
})
