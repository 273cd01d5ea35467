// Three people meet through the real appliance: the real server process over https with its own
// certificate, the real mediasoup worker, real Chromium with fake camera and microphone.
import t from 'tap'
import { spawnSync, execFileSync, execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { startActivationService } from '../activation-service.ts'
import { launchBrowser, mediaFlows, newMeetingContext, joinFromLink, signIn } from '../browser.ts'
import { tempDir } from '../helper.ts'
import { issueTestLicense } from '../license-helper.ts'
import { startServer, VECHE } from '../server-process.ts'

const execFileAsync = promisify(execFile)

const OWNER = { email: 'olga@corp.example', name: 'Ольга', password: 'owner password 1' }
const MEMBER = { email: 'boris@corp.example', displayName: 'Борис', password: 'member password 1' }

const remoteTiles = (page: Page) => page.locator('[data-testid=tile]:not([data-self])')



t.test('an employee, a colleague and a guest see and hear each other', async (t) => {
  const dataDir = tempDir(t)
  const created = spawnSync(VECHE, ['admin', 'create-owner', '--email', OWNER.email, '--name', OWNER.name, '--password-stdin', '--set', `data.dir=${dataDir}`], {
    input: `${OWNER.password}\n`,
    encoding: 'utf8',
  })
  t.equal(created.status, 0, `create-owner: ${created.stderr}`)

  // The sysadmin activates a 2-room x 3-participant license once, against the vendor's real
  // activation service; the appliance then runs with the vendor out of reach.
  const vendor = await startActivationService(t)
  const { token } = await issueTestLicense({ limits: { rooms: 2, participantsPerRoom: 3, internalUsers: 5 } })
  // Not spawnSync: the activation service answers from this very process.
  const activated = await execFileAsync(VECHE, ['activate', token, '--set', `data.dir=${dataDir}`, '--set', `license.activationUrl=${vendor.url}`])
  t.match(activated.stdout, /activated\.[\s\S]*participants:\s+3 per room/)
  await vendor.stop()

  const server = await startServer(t, dataDir, ['media.workers=1'])
  const cert = readFileSync(join(dataDir, 'tls', 'server.crt'), 'utf8')
  const browser = await launchBrowser(t, cert)

  // Olga signs in and creates a room.
  const olgaContext = await newMeetingContext(browser, 'ru-RU')
  const olga = await olgaContext.newPage()
  await signIn(olga, server.url, OWNER.email, OWNER.password)
  await olga.fill('#create-room-form input[name=title]', 'Планёрка')
  await olga.click('#create-room-form [type=submit]')
  const link = await olga.locator('[data-testid=room-item] a[data-testid=room-link]').first().getAttribute('href')
  t.match(link, /^https:\/\/127\.0\.0\.1:\d+\/r\/[A-Za-z0-9_-]{22}$/, 'the room has an unguessable https link')

  // Olga adds her colleague Boris as an internal user.
  const made = await olga.evaluate(async (body) => {
    const res = await fetch('/api/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    return res.status
  }, { ...MEMBER, role: 'member' })
  t.equal(made, 201)

  await joinFromLink(olga, link!)

  const borisContext = await newMeetingContext(browser, 'en-US')
  const boris = await borisContext.newPage()
  await signIn(boris, server.url, MEMBER.email, MEMBER.password)
  await joinFromLink(boris, link!)

  const guestContext = await newMeetingContext(browser, 'ru-RU')
  const guest = await guestContext.newPage()
  await joinFromLink(guest, link!, 'Гость Григорий')

  const pages = { olga, boris, guest }
  for (const [who, page] of Object.entries(pages)) {
    await remoteTiles(page).nth(1).waitFor({ timeout: 20_000 })
    t.equal(await remoteTiles(page).count(), 2, `${who} sees two others`)
    const { after } = await mediaFlows(page)
    t.ok(after.audioBytes > 0 && after.videoBytes > 0 && after.framesDecoded > 0, `${who} receives audio and video: ${JSON.stringify(after)}`)
  }
  const participantsToggle = olga.locator('[data-testid=toggle-participants]')
  if ((await participantsToggle.getAttribute('aria-pressed')) !== 'true') await participantsToggle.click()
  await olga.locator('[data-testid=participant]').nth(2).waitFor()
  const names = (await olga.locator('[data-testid=participant]').allInnerTexts()).join(' | ')
  t.match(names, /Ольга/, 'participants list shows the employee')
  t.match(names, /Борис/, 'participants list shows the colleague')
  t.match(names, /Гость Григорий/, 'participants list shows the guest')

  // Chat: one writes, the others read.
  const chatToggle = olga.locator('[data-testid=toggle-chat]')
  if ((await chatToggle.getAttribute('aria-pressed')) !== 'true') await chatToggle.click()
  await olga.fill('[data-testid=chat-input]', 'Всем привет!')
  await olga.click('[data-testid=chat-send]')
  for (const page of [boris, guest]) {
    const toggle = page.locator('[data-testid=toggle-chat]')
    if ((await toggle.getAttribute('aria-pressed')) !== 'true') await toggle.click()
    await page.locator('[data-testid=chat-message]', { hasText: 'Всем привет!' }).waitFor({ timeout: 10_000 })
  }
  t.pass('chat reached the others')

  // A fourth person is one more than the license allows in a meeting: refused, and told so.
  const latecomerContext = await newMeetingContext(browser, 'ru-RU')
  const latecomer = await latecomerContext.newPage()
  await latecomer.goto(link!)
  await latecomer.fill('input[name=displayName]', 'Опоздавший')
  await latecomer.locator('video[data-testid=preview]').waitFor()
  await latecomer.click('[data-testid=join]')
  const refusal = latecomer.locator('[data-testid=ended][data-reason=full]')
  await refusal.waitFor({ timeout: 15_000 })
  t.match(await refusal.innerText(), /Встреча заполнена[\s\S]*3/, 'the refused guest sees the meeting is full and the limit')
  t.equal(await remoteTiles(olga).count(), 2, 'the meeting goes on undisturbed')
  await latecomerContext.close()

  // The guest leaves; the others see it.
  await guest.click('[data-testid=leave]')
  for (const page of [olga, boris]) {
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=tile]:not([data-self])').length === 1, null, { timeout: 10_000 })
  }
  t.pass('the others see the guest leave')
  await guestContext.close()

  // The media worker dies mid-meeting: the server survives, starts a new one, and the two who are
  // left get their media back without doing anything.
  const workers = execFileSync('pgrep', ['-P', String(server.process.pid), '-f', 'mediasoup-worker'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map(Number)
  t.equal(workers.length, 1, 'one media worker')
  process.kill(workers[0]!, 'SIGKILL')
  const health = await olga.evaluate(async () => (await fetch('/healthz')).status)
  t.equal(health, 200, 'the server keeps serving')
  for (const [who, page] of Object.entries({ olga, boris })) {
    await page.waitForFunction(
      () => ((window as unknown as { __vechePcs: RTCPeerConnection[] }).__vechePcs ?? []).filter((pc) => pc.connectionState === 'closed').length >= 2,
      null,
      { timeout: 15_000 },
    )
    const { after } = await mediaFlows(page, 30_000)
    t.ok(after.framesDecoded > 0, `${who} receives media again after the worker restart: ${JSON.stringify(after)}`)
  }
  const replacement = execFileSync('pgrep', ['-P', String(server.process.pid), '-f', 'mediasoup-worker'], { encoding: 'utf8' }).trim()
  t.not(Number(replacement), workers[0], 'a new worker process runs')
  t.ok(server.logs.some((l) => l.msg === 'media worker died; starting a replacement'), 'the death is logged')

  await olga.click('[data-testid=leave]')
  await boris.click('[data-testid=leave]')
  t.equal(await server.stop(), 0, 'the server stops cleanly on SIGTERM')
  t.ok(server.logs.some((l) => l.msg === 'stopped'), 'and says so')
})
