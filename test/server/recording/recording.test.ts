// Recording a meeting through the real app: a real mediasoup worker, a participant made of ffmpeg,
// the real recorder (ffmpeg) and ffprobe on what it wrote.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { probeFile } from '../../../server/recording/probe.ts'
import type { RecordingState } from '../../../server/signaling/protocol.ts'
import { joinWithFfmpeg } from './ffmpeg-participant.ts'
import { harness, pidAlive, sleep } from './harness.ts'

type RecordingView = { id: string; status: string; durationMs: number; sizeBytes: number; startedBy: string; error: { code: string } | null }

t.test('a host records a meeting: everyone is told, the file has audio and video, the chat is beside it', async (t) => {
  const h = await harness(t)
  const roomId = await h.newRoom('Планёрка')
  const olga = await h.join(roomId, { cookie: h.owner })
  const guest = await h.join(roomId, { guest: 'Гость Григорий' })
  const speaker = await joinWithFfmpeg(h.liveRoom(roomId), 'Камера')
  t.teardown(() => speaker.stop())

  const olgaState = await olga.request('captureState')
  t.match(olgaState, { ok: true, data: { recording: { allowed: true, active: false }, streaming: { allowed: true, status: 'off' } } })
  const guestState = await guest.request('captureState')
  t.match(guestState, { ok: true, data: { recording: { allowed: false, active: false }, streaming: { allowed: false } } }, 'a guest may not record')
  t.match(await guest.request('startRecording'), { ok: false, error: { code: 'forbidden' } })

  await sleep(500)
  const started = Date.now()
  const start = await olga.request('startRecording')
  t.match(start, { ok: true, data: { active: true, startedBy: 'Ольга Владелец' } }, JSON.stringify(start.error))
  const told = (await guest.waitFor('recordingState', (s: RecordingState) => s.active)) as RecordingState
  t.equal(told.startedBy, 'Ольга Владелец', 'the guest is told who started recording')
  t.match(await olga.request('startRecording'), { ok: false, error: { code: 'conflict' } }, 'one recording per meeting')
  t.match(await guest.request('stopRecording'), { ok: false, error: { code: 'forbidden' } }, 'a guest cannot stop it either')

  await olga.request('chat', { text: 'Записываем!' })
  await sleep(4000)
  const stop = await olga.request('stopRecording')
  const stopped = Date.now()
  t.match(stop, { ok: true, data: { active: false, problem: null } })
  await guest.waitFor('recordingState', (s: RecordingState) => !s.active)
  t.same(h.app.capture.runningPids(), [], 'no ffmpeg is left running')

  const list = await h.app.inject({ method: 'GET', url: '/api/recordings', headers: { cookie: h.owner } })
  const [rec] = list.json().recordings as RecordingView[]
  t.match(rec, { status: 'ready', startedBy: 'Ольга Владелец', error: null })
  const wall = stopped - started

  const file = h.app.capture.fileOf((await h.app.recordingsRepository.get(rec!.id))!)
  const probe = await probeFile('ffprobe', file)
  // How much of the wall time ffmpeg caught depends on how fast it started (slow on a loaded machine);
  // what must hold is that the list states what the file holds, and never more than was recorded.
  t.equal(rec!.durationMs, probe.durationMs, 'the listed duration is the file\'s')
  t.ok(rec!.durationMs <= wall + 1500, `the ${rec!.durationMs} ms listed fit in the ${wall} ms recorded`)
  t.match(probe, { video: { codec: 'h264', width: 320, height: 240 }, audio: { codec: 'aac', channels: 2, sampleRate: 48000 } })
  t.ok(probe.durationMs > 3500, `the file lasts ${probe.durationMs} ms`)
  // The tone the ffmpeg participant sends is in the mix: not silence.
  const volume = spawnSync('ffmpeg', ['-hide_banner', '-i', file, '-af', 'volumedetect', '-vn', '-f', 'null', '-'], { encoding: 'utf8' }).stderr
  const mean = Number(/mean_volume: (-?[\d.]+) dB/.exec(volume)?.[1] ?? -91)
  t.ok(mean > -40, `the participant's tone is heard in the mix (mean ${mean} dB)`)
  const chat = readFileSync(h.app.capture.chatFileOf((await h.app.recordingsRepository.get(rec!.id))!), 'utf8')
  t.match(chat, /# Планёрка\n/)
  t.match(chat, /\[00:00:0\d\] Ольга Владелец: Записываем!/)
})

t.test('the recordings API: only the allowed see, play (with ranges), download and delete', async (t) => {
  const h = await harness(t)
  const roomId = await h.newRoom('Совет')
  const olga = await h.join(roomId, { cookie: h.owner })
  const speaker = await joinWithFfmpeg(h.liveRoom(roomId), 'Камера', { video: false })
  t.teardown(() => speaker.stop())
  t.match(await olga.request('startRecording'), { ok: true })
  await sleep(1500)
  t.match(await olga.request('stopRecording'), { ok: true })
  const [rec] = (await h.app.inject({ method: 'GET', url: '/api/recordings', headers: { cookie: h.owner } })).json().recordings as RecordingView[]
  const url = `/api/recordings/${rec!.id}/file`

  t.equal((await h.app.inject({ method: 'GET', url })).statusCode, 401, 'signed out: refused')
  t.equal((await h.app.inject({ method: 'GET', url, headers: { cookie: h.member } })).statusCode, 404, 'another employee: not even told it exists')
  t.same((await h.app.inject({ method: 'GET', url: '/api/recordings', headers: { cookie: h.member } })).json(), { recordings: [] })

  const whole = await h.app.inject({ method: 'GET', url: `${url}?download=1`, headers: { cookie: h.owner } })
  t.equal(whole.statusCode, 200)
  t.equal(whole.headers['content-type'], 'video/mp4')
  t.match(whole.headers['content-disposition'], /^attachment; .*filename\*=UTF-8''%D0%A1%D0%BE%D0%B2%D0%B5%D1%82%20\d{4}-\d\d-\d\d%20\d\d-\d\d\.mp4$/)
  t.equal(whole.rawPayload.length, rec!.sizeBytes, 'the whole file')
  const part = await h.app.inject({ method: 'GET', url, headers: { cookie: h.owner, range: 'bytes=0-99' } })
  t.equal(part.statusCode, 206)
  t.equal(part.rawPayload.length, 100)
  t.equal(part.headers['content-range'], `bytes 0-99/${rec!.sizeBytes}`)
  t.equal((await h.app.inject({ method: 'GET', url, headers: { cookie: h.owner, range: 'bytes=999999999-' } })).statusCode, 416)
  const chat = await h.app.inject({ method: 'GET', url: `/api/recordings/${rec!.id}/chat`, headers: { cookie: h.owner } })
  t.equal(chat.statusCode, 200)
  t.match(chat.body, /# Совет/)

  t.equal((await h.app.inject({ method: 'DELETE', url: `/api/recordings/${rec!.id}`, headers: { cookie: h.member, 'content-type': 'application/json' } })).statusCode, 404)
  const file = h.app.capture.fileOf((await h.app.recordingsRepository.get(rec!.id))!)
  t.ok(existsSync(file))
  t.equal((await h.app.inject({ method: 'DELETE', url: `/api/recordings/${rec!.id}`, headers: { cookie: h.owner, 'content-type': 'application/json' } })).statusCode, 204)
  t.notOk(existsSync(file), 'the file is gone')
  t.equal((await h.app.inject({ method: 'GET', url, headers: { cookie: h.owner } })).statusCode, 404)
})

t.test('a recorder that crashes leaves a playable partial file and an error entry', async (t) => {
  const h = await harness(t)
  const roomId = await h.newRoom()
  const olga = await h.join(roomId, { cookie: h.owner })
  const speaker = await joinWithFfmpeg(h.liveRoom(roomId), 'Камера')
  t.teardown(() => speaker.stop())
  t.match(await olga.request('startRecording'), { ok: true })
  await sleep(3000)
  const [pid] = h.app.capture.runningPids()
  process.kill(pid!, 'SIGKILL')
  const state = (await olga.waitFor('recordingState', (s: RecordingState) => !s.active)) as RecordingState
  t.match(state.problem, { code: 'recorder_failed' }, 'the host is told the recorder failed')
  const [rec] = await h.app.recordingsRepository.listAll()
  t.match(rec, { status: 'partial', error: { code: 'recorder_failed' } })
  t.ok(rec!.durationMs! > 1000, `the partial file plays: ${rec!.durationMs} ms`)
  t.notOk(pidAlive(pid!), 'the recorder is gone')
  t.match(await olga.request('startRecording'), { ok: true }, 'a new recording can start: nothing is stuck')
  t.match(await olga.request('stopRecording'), { ok: true })
})

t.test('the media worker dies mid-recording: the recording stops with an error entry', async (t) => {
  const h = await harness(t)
  const roomId = await h.newRoom()
  const olga = await h.join(roomId, { cookie: h.owner })
  const speaker = await joinWithFfmpeg(h.liveRoom(roomId), 'Камера', { video: false })
  t.teardown(() => speaker.stop())
  t.match(await olga.request('startRecording'), { ok: true })
  await sleep(2000)
  const [recorder] = h.app.capture.runningPids()
  process.kill(h.app.workerPool.live()[0]!.pid, 'SIGKILL')
  const state = (await olga.waitFor('recordingState', (s: RecordingState) => !s.active)) as RecordingState
  t.match(state.problem, { code: 'media_lost' })
  t.match((await h.app.recordingsRepository.listAll())[0], { status: 'partial', error: { code: 'media_lost' } })
  t.notOk(pidAlive(recorder!), 'the recorder is gone')
})

t.test('limits: concurrency from config, the disk floor, and the license', async (t) => {
  t.test('beyond recording.maxConcurrent a start is refused, naming the limit', async (t) => {
    const h = await harness(t, { set: ['recording.maxConcurrent=1'] })
    const a = await h.join(await h.newRoom('A'), { cookie: h.owner })
    const b = await h.join(await h.newRoom('B'), { cookie: h.owner })
    t.match(await a.request('startRecording'), { ok: true })
    const refused = await b.request('startRecording')
    t.match(refused, { ok: false, error: { code: 'busy', message: /at most 1 recording at once/ } })
    t.match(await a.request('stopRecording'), { ok: true })
    t.match(await b.request('startRecording'), { ok: true }, 'free again once the first stopped')
    t.match(await b.request('stopRecording'), { ok: true })
  })

  t.test('below the free-space floor a start is refused, telling why', async (t) => {
    const h = await harness(t, { set: ['recording.minFreeMb=100000000'] })
    const a = await h.join(await h.newRoom(), { cookie: h.owner })
    t.match(await a.request('startRecording'), { ok: false, error: { code: 'disk_low', message: /MiB of disk space is free/ } })
    t.same(await h.app.recordingsRepository.listAll(), [], 'no entry for a recording that never started')
  })

  t.test('without the license feature: hidden (not allowed) and refused by the API', async (t) => {
    const h = await harness(t, { features: [] })
    const a = await h.join(await h.newRoom(), { cookie: h.owner })
    t.match(await a.request('captureState'), { ok: true, data: { recording: { allowed: false }, streaming: { allowed: false } } })
    t.match(await a.request('startRecording'), { ok: false, error: { code: 'feature_unlicensed' } })
    t.match(await a.request('startStreaming', { url: 'rtmp://127.0.0.1:1/live', key: 'k' }), { ok: false, error: { code: 'feature_unlicensed' } })
    const list = await h.app.inject({ method: 'GET', url: '/api/recordings', headers: { cookie: h.owner } })
    t.equal(list.statusCode, 403)
    t.equal(list.json().error.code, 'feature_unlicensed')
  })
})
