// Real Chromium (Debian's package) for end-to-end tests, with fake camera and microphone.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { createHash, X509Certificate } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

interface TestContext {
  teardown(fn: () => unknown): void
}

/** spkiHash is what Chromium's --ignore-certificate-errors-spki-list takes to trust one certificate. */
export function spkiHash(certPem: string): string {
  const der = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' })
  return createHash('sha256').update(der).digest('base64')
}

/** launchBrowser starts Chromium that trusts exactly the given server certificate(s). */
export async function launchBrowser(t: TestContext, trustCertPem: string | readonly string[]): Promise<Browser> {
  const trusted = typeof trustCertPem === 'string' ? [trustCertPem] : trustCertPem
  const profile = mkdtempSync(join(tmpdir(), 'veche-chromium-'))
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
      `--ignore-certificate-errors-spki-list=${trusted.map(spkiHash).join(',')}`,
    ],
    headless: true,
  })
  t.teardown(async () => {
    await browser.close()
    rmSync(profile, { recursive: true, force: true })
  })
  return browser
}

/** Records every RTCPeerConnection the page makes so tests can read getStats() from the outside. */
const RECORD_PEER_CONNECTIONS = `(() => {
  const Native = window.RTCPeerConnection
  window.__vechePcs = []
  window.RTCPeerConnection = class extends Native {
    constructor(...args) { super(...args); window.__vechePcs.push(this) }
  }
})()`

export async function newMeetingContext(browser: Browser, locale = 'ru-RU'): Promise<BrowserContext> {
  const context = await browser.newContext({
    locale,
    viewport: { width: 1280, height: 720 },
    permissions: ['camera', 'microphone'],
  })
  await context.addInitScript(RECORD_PEER_CONNECTIONS)
  return context
}

export interface InboundTotals {
  audioBytes: number
  videoBytes: number
  framesDecoded: number
  connections: number
}

/** inboundTotals sums inbound-rtp over the page's live peer connections. */
export function inboundTotals(page: Page): Promise<InboundTotals> {
  return page.evaluate(async () => {
    const pcs = ((window as unknown as { __vechePcs: RTCPeerConnection[] }).__vechePcs ?? []).filter(
      (pc) => pc.connectionState !== 'closed',
    )
    const totals = { audioBytes: 0, videoBytes: 0, framesDecoded: 0, connections: pcs.length }
    for (const pc of pcs) {
      const report = await pc.getStats()
      report.forEach((s: { type: string; kind?: string; bytesReceived?: number; framesDecoded?: number }) => {
        if (s.type !== 'inbound-rtp') return
        if (s.kind === 'audio') totals.audioBytes += s.bytesReceived ?? 0
        if (s.kind === 'video') {
          totals.videoBytes += s.bytesReceived ?? 0
          totals.framesDecoded += s.framesDecoded ?? 0
        }
      })
    }
    return totals
  })
}

/** mediaFlows resolves once the page's inbound audio bytes, video bytes and decoded frames all grow. */
export async function mediaFlows(page: Page, timeoutMs = 20_000): Promise<{ before: InboundTotals; after: InboundTotals }> {
  const deadline = Date.now() + timeoutMs
  let before = await inboundTotals(page)
  for (;;) {
    await page.waitForTimeout(1000)
    const after = await inboundTotals(page)
    if (after.audioBytes > before.audioBytes && after.videoBytes > before.videoBytes && after.framesDecoded > before.framesDecoded) {
      return { before, after }
    }
    if (Date.now() > deadline) {
      throw new Error(`media did not flow within ${timeoutMs} ms: before ${JSON.stringify(before)} after ${JSON.stringify(after)}`)
    }
    before = after
  }
}

/** signIn signs an employee in through the sign-in page and waits for the rooms page. */
export async function signIn(page: Page, base: string, email: string, password: string): Promise<void> {
  await page.goto(`${base}/signin`)
  await page.fill('#signin-form input[name=email]', email)
  await page.fill('#signin-form input[name=password]', password)
  await page.click('#signin-form [type=submit]')
  await page.waitForURL(`${base}/rooms`)
}

/** joinFromLink opens a room link, passes the pre-join page (as a guest when named) and waits to be in. */
export async function joinFromLink(page: Page, link: string, guestName?: string): Promise<void> {
  await page.goto(link)
  if (guestName) await page.fill('input[name=displayName]', guestName)
  await page.locator('video[data-testid=preview]').waitFor()
  await page.click('[data-testid=join]')
  await page.locator('[data-testid=tile][data-self]').waitFor()
}
