// Recording and streaming a real browser meeting through the real appliance: the server process,
// Chromium with fake camera and microphone, ffmpeg recording and streaming, nginx-rtmp receiving,
// ffprobe checking what was written and what arrived.
import t, { type Test } from 'tap'
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import type { Feature } from '../../license-keys/claims.ts'
import { probeFile } from '../../server/recording/probe.ts'
import { launchBrowser, mediaFlows, newMeetingContext, joinFromLink, signIn } from '../browser.ts'
import { tempDir } from '../helper.ts'
import { prepareDataDir } from '../license-helper.ts'
import { startServer, type ServerProcess } from '../server-process.ts'
import { startRtmpServer } from '../server/recording/rtmp-server.ts'

const OWNER = { email: 'olga@corp.example', name: 'Ольга', password: 'owner password 1' }
const MEMBER = { email: 'boris@corp.example', displayName: 'Борис', password: 'member password 1' }
// Light enough for two cores next to two Chromium pages.
const LIGHT = ['media.workers=1', 'recording.width=640', 'recording.height=360', 'recording.frameRate=15', 'recording.videoKbps=600', 'recording.audioSlots=2', 'recording.minFreeMb=1']

/** appliance creates the owner and activates a license with `features`, as `veche activate` would. */
async function appliance(t: Test, features: Feature[], set: string[] = []): Promise<{ server: ServerProcess; cert: string; dataDir: string }> {
  const dataDir = tempDir(t)
  await prepareDataDir(dataDir, OWNER, { features })
  const server = await startServer(t, dataDir, [...LIGHT, ...set])
  return { server, cert: readFileSync(join(dataDir, 'tls', 'server.crt'), 'utf8'), dataDir }
}



async function createRoom(page: Page, title: string): Promise<string> {
  await page.fill('#create-room-form input[name=title]', title)
  await page.click('#create-room-form [type=submit]')
  return (await page.locator('[data-testid=room-item] a[data-testid=room-link]').first().getAttribute('href'))!
}

/** ffmpegChildren lists the server's ffmpeg processes (recorders and streamers). */
function ffmpegChildren(server: ServerProcess): number[] {
  const out = spawnSync('pgrep', ['-P', String(server.process.pid), '-x', 'ffmpeg'], { encoding: 'utf8' }).stdout.trim()
  return out ? out.split('\n').map(Number) : []
}

t.test('a browser meeting is recorded, played, downloaded by those allowed, and streamed', async (t) => {
  const { server, cert } = await appliance(t, ['recording', 'streaming'], ['streaming.reconnectAttempts=1', 'streaming.reconnectDelaySeconds=0.5'])
  const browser = await launchBrowser(t, cert)

  const olgaContext = await newMeetingContext(browser, 'ru-RU')
  const olga = await olgaContext.newPage()
  await signIn(olga, server.url, OWNER.email, OWNER.password)
  const made = await olga.evaluate(async (body) => {
    const res = await fetch('/api/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    return res.status
  }, { ...MEMBER, role: 'member' })
  t.equal(made, 201)
  const link = await createRoom(olga, 'Планёрка')
  await joinFromLink(olga, link)

  const guestContext = await newMeetingContext(browser, 'en-US')
  const guest = await guestContext.newPage()
  await joinFromLink(guest, link, 'Guest Gregory')
  await mediaFlows(olga)

  const record = olga.locator('[data-testid=toggle-recording]')
  await record.waitFor()
  t.ok(await guest.locator('[data-testid=toggle-recording]').isHidden(), 'a guest has no record button')

  await record.click()
  await olga.locator('[data-testid=recording-indicator]').waitFor()
  // The indicator shows once the recorder writes: from here the file grows.
  const started = Date.now()
  await guest.locator('[data-testid=recording-indicator]').waitFor()
  t.match(await guest.locator('[data-testid=recording-indicator]').innerText(), /Recording/i, 'the guest sees the indicator')
  await guest.locator('[data-testid=toast]', { hasText: 'Recording started by Ольга' }).waitFor()
  t.pass('and is told who started recording')
  t.equal(await record.getAttribute('aria-pressed'), 'true')
  t.equal(ffmpegChildren(server).length, 1, 'one recorder runs')

  const chatToggle = olga.locator('[data-testid=toggle-chat]')
  if ((await chatToggle.getAttribute('aria-pressed')) !== 'true') await chatToggle.click()
  await olga.fill('[data-testid=chat-input]', 'Это войдёт в запись')
  await olga.click('[data-testid=chat-send]')
  await chatToggle.click()
  await olga.waitForTimeout(5000)
  await record.click()
  const stopped = Date.now()
  await guest.locator('[data-testid=recording-indicator]').waitFor({ state: 'hidden' })
  t.pass('the indicator goes away when recording stops')

  // Streaming to a real RTMP server on loopback, entered in the room's dialog.
  const rtmp = await startRtmpServer(t)
  await olga.click('[data-testid=toggle-streaming]')
  await olga.fill('[data-testid=stream-url]', rtmp.url)
  await olga.fill('[data-testid=stream-key]', 'planerka')
  await olga.click('[data-testid=stream-start]')
  await guest.locator('[data-testid=streaming-indicator][data-status=live]').waitFor({ timeout: 20_000 })
  t.pass('everyone sees the meeting is live')
  const received = join(tempDir(t), 'received.mp4')
  execFileSync('ffmpeg', ['-v', 'error', '-rw_timeout', '10000000', '-i', `${rtmp.url}/planerka`, '-t', '3', '-c', 'copy', '-y', received], { timeout: 30_000 })
  const arrived = await probeFile('ffprobe', received)
  t.match(arrived, { video: { codec: 'h264', width: 640, height: 360 }, audio: { codec: 'aac' } }, 'audio and video arrive at the RTMP server')
  const streamer = ffmpegChildren(server)
  t.equal(streamer.length, 1, 'one streamer runs')
  await rtmp.kill()
  const status = olga.locator('[data-testid=streaming-status]')
  await olga.locator('[data-testid=streaming-status][data-status=off]').waitFor({ timeout: 20_000 })
  t.match(await status.innerText(), /Трансляция остановлена после 1 попытки переподключения: сервер трансляций/, 'the host is told the stream stopped and why')
  t.same(ffmpegChildren(server), [], 'no recorder or streamer process is left')
  await guest.locator('[data-testid=streaming-indicator]').waitFor({ state: 'hidden' })

  await guest.click('[data-testid=leave]')
  await guestContext.close()
  await olga.click('[data-testid=leave]')

  // The recordings page: listed with who and how long; it plays in the browser.
  await olga.goto(`${server.url}/recordings`)
  const item = olga.locator('[data-testid=recording-item]').first()
  await item.waitFor()
  t.match(await item.innerText(), /Планёрка[\s\S]*Ольга/)
  t.equal(await item.locator('[data-testid=recording-status]').getAttribute('data-status'), 'ready')
  await item.locator('[data-testid=recording-play]').click()
  const played = await olga.waitForFunction(() => {
    const v = document.querySelector<HTMLVideoElement>('[data-testid=recording-video]')
    return v && v.readyState >= 2 && v.videoWidth > 0 ? { width: v.videoWidth, height: v.videoHeight } : null
  }, null, { timeout: 15_000 })
  t.same(await played.jsonValue(), { width: 640, height: 360 }, 'it plays in the browser')

  // The download, through the API, for those allowed only.
  const fileUrl = `${server.url}${(await item.locator('[data-testid=recording-download]').getAttribute('href'))!}`
  const cookie = (await olgaContext.cookies()).map((c) => `${c.name}=${c.value}`).join('; ')
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0' // The appliance's own CA; only this test process.
  const download = await fetch(fileUrl, { headers: { cookie } })
  t.equal(download.status, 200)
  t.match(download.headers.get('content-disposition'), /^attachment;/)
  const file = join(tempDir(t), 'download.mp4')
  writeFileSync(file, Buffer.from(await download.arrayBuffer()))
  const probe = await probeFile('ffprobe', file)
  t.match(probe, { video: { codec: 'h264', width: 640, height: 360 }, audio: { codec: 'aac', channels: 2 } }, 'the file has video of the configured size and audio')
  const wall = stopped - started
  t.ok(Math.abs(probe.durationMs - wall) < 1500, `it lasts ${probe.durationMs} ms for ${wall} ms recorded`)

  const chatUrl = `${server.url}${(await item.locator('[data-testid=recording-chat]').getAttribute('href'))!}`
  t.match(await (await fetch(chatUrl, { headers: { cookie } })).text(), /\] Ольга: Это войдёт в запись/, 'the chat is saved beside it')

  t.equal((await fetch(fileUrl)).status, 401, 'nobody signed in: refused')
  const signin = await fetch(`${server.url}/api/auth/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: MEMBER.email, password: MEMBER.password }),
  })
  const borisCookie = signin.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ')
  t.equal((await fetch(fileUrl, { headers: { cookie: borisCookie } })).status, 404, 'a colleague who neither recorded it nor owns the room: refused')

  await olgaContext.close()
  t.equal(await server.stop(), 0, 'the server stops cleanly')
})

t.test('without the license features, recording and streaming are hidden', async (t) => {
  const { server, cert } = await appliance(t, [])
  const browser = await launchBrowser(t, cert)
  const context = await newMeetingContext(browser, 'en-US')
  const page = await context.newPage()
  await signIn(page, server.url, OWNER.email, OWNER.password)
  await joinFromLink(page, await createRoom(page, 'Standup'))
  await page.waitForTimeout(1000)
  t.ok(await page.locator('[data-testid=toggle-recording]').isHidden(), 'no record button')
  t.ok(await page.locator('[data-testid=toggle-streaming]').isHidden(), 'no stream button')
  await page.click('[data-testid=leave]')
  await page.goto(`${server.url}/rooms`)
  await page.locator('[data-testid=nav-rooms]').waitFor()
  await page.waitForTimeout(500)
  t.ok(await page.locator('[data-testid=nav-recordings]').isHidden(), 'no Recordings in the menu')
  await context.close()
})
