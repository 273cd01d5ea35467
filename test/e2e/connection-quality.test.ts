// A guest on a slow connection is told so: two real Chromium pages in a meeting on the real server,
// the guest's media through the UDP relay of bench/lib. Capping the guest's downlink far below the
// smallest picture makes the server stop the owner's video to the guest; the guest's page then shows
// the poor-connection notice, a poor level on the owner's tile and says why the video stopped; when
// the cap goes, the video and a better level come back; after the guest leaves, the meeting's history
// shows its stay's quality. Correctness only: the timings are generous.
import t from 'tap'
import type { Page } from 'playwright-core'
import { joinFromLink, mediaFlows, newMeetingContext, signIn } from '../browser.ts'
import { startCallBench } from '../../bench/lib/network-call.ts'
import { routeThroughRelay } from '../../bench/lib/call-stats.ts'
import { OWNER } from '../../bench/lib/targets/veche.ts'
import { UdpRelay } from '../../bench/lib/udp-relay.ts'

const ownerTile = (page: Page) => page.locator('[data-testid=tile]:not([data-self])')
const ownerAudioOnly = (page: Page) => ownerTile(page).locator('[data-testid=tile-audio-only]')

t.test('a guest whose downlink cannot carry video is told, and gets video back after', async (t) => {
  const bench = await startCallBench()
  t.teardown(() => bench.close())
  const relay = await UdpRelay.start({ targetHost: '127.0.0.1', targetPort: bench.mediaPort, seed: 3 })
  t.teardown(() => relay.close())
  const ownerContext = await newMeetingContext(bench.browser, 'en-US')
  const guestContext = await newMeetingContext(bench.browser, 'ru-RU')
  t.teardown(async () => {
    await guestContext.close()
    await ownerContext.close()
  })
  await routeThroughRelay(guestContext, relay.address, relay.port)
  const room = await bench.server.createRoom()
  const link = `${bench.server.url}/r/${room}`
  const owner = await ownerContext.newPage()
  await signIn(owner, bench.server.url, OWNER.email, OWNER.password)
  await joinFromLink(owner, link)
  const guest = await guestContext.newPage()
  await joinFromLink(guest, link, 'Гость')
  await Promise.all([mediaFlows(owner, 30_000), mediaFlows(guest, 30_000)])
  t.ok(relay.clients > 0, 'the guest\'s media goes through the relay')

  // A clean call: every tile gets a level, and nobody is told their connection is poor.
  const quality = guest.locator('[data-testid=tile]:not([data-self]) [data-testid=tile-quality]')
  await quality.waitFor({ state: 'visible', timeout: 15_000 })
  t.equal(await guest.locator('[data-testid=quality-notice]').isVisible(), false, 'no notice on a clean call')

  // 60 kbps carries Opus but not even the smallest picture.
  relay.set({ down: { rateBps: 60_000, queueMs: 200 } })
  const notice = guest.locator('[data-testid=quality-notice]')
  await notice.waitFor({ state: 'visible', timeout: 30_000 })
  t.match(await notice.textContent(), /связь/i, 'the notice is in the guest\'s language')
  await ownerAudioOnly(guest).waitFor({ state: 'visible', timeout: 30_000 })
  t.equal(await ownerTile(guest).getAttribute('data-has-video'), null, 'the owner\'s tile shows the avatar, not a frozen picture')
  t.equal(await quality.getAttribute('data-level'), 'poor', 'the owner\'s tile says the connection is poor')
  t.match(await quality.getAttribute('aria-label'), /плохая/, 'the level is labelled for screen readers')

  relay.set({})
  await ownerAudioOnly(guest).waitFor({ state: 'hidden', timeout: 40_000 })
  await ownerTile(guest).and(guest.locator('[data-has-video]')).waitFor({ timeout: 10_000 })
  await notice.waitFor({ state: 'hidden', timeout: 30_000 })
  t.pass('video and a clean screen came back once the cap went')

  // The meeting's history keeps the guest's stay with its quality: the time rated poor by the guest's
  // browser and the time the server sent it audio only.
  await guest.click('[data-testid=leave]')
  const history = await ownerContext.newPage()
  await history.goto(`${bench.server.url}/meetings`)
  await history.locator('a[href^="/meetings/"]').first().click()
  const guestStay = history.locator('[data-testid=stay-row]', { hasText: 'Гость' })
  await guestStay.locator('[data-testid=stay-limits]').waitFor({ timeout: 15_000 })
  t.match(await guestStay.locator('[data-testid=stay-quality]').textContent(), /poor \d+%/, 'the guest\'s poor time is shown')
  t.equal(await guestStay.locator('[data-testid=stay-quality]').getAttribute('data-worst'), 'poor')
  t.match(await guestStay.locator('[data-testid=stay-limits]').textContent(), /audio only \d+ (s|min)/, 'and how long it got audio only')
})
