// The capture service on its own: the disk guard stopping a running recording, rows a dead server
// left "recording", and retention. A real room, recorder and database; only the disk is pretended.
import t, { type Test } from 'tap'
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import type { Config } from '../../../config/schema.ts'
import { createRecordingsRepository, type RecordingsRepository } from '../../../server/db/recordings-repository.ts'
import { CaptureService, type CaptureServiceOptions } from '../../../server/recording/capture-service.ts'
import { Peer } from '../../../server/sfu/peer.ts'
import type { Room } from '../../../server/sfu/room.ts'
import type { Notifications } from '../../../server/signaling/protocol.ts'
import { build, createOwner, tempDir, testConfig } from '../../helper.ts'
import { joinWithFfmpeg } from './ffmpeg-participant.ts'
import { LIGHT, pidAlive, sleep } from './harness.ts'

const log = pino({ level: 'silent' })

/** captureService builds the service as the recording plugin does, with every feature licensed. */
function captureService(
  app: FastifyInstance,
  dir: string,
  config: Config,
  repository: RecordingsRepository,
  disk: Pick<CaptureServiceOptions, 'freeBytes' | 'diskCheckMs'> = {},
): CaptureService {
  return new CaptureService({
    dir,
    recording: config.recording,
    streaming: config.streaming,
    repository,
    lookupRoom: (id) => app.roomsRepository.get(id),
    refuseFeature: () => undefined,
    log,
    ...disk,
  })
}

async function setUp(t: Test, free: { bytes: number }) {
  const app = await build(t, { set: ['media.plainTransports=true', ...LIGHT] })
  const cookie = await createOwner(app)
  const me = (await app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie } })).json().user as { id: string; displayName: string }
  const repository = createRecordingsRepository(app.dataLayer)
  const dir = join(tempDir(t), 'recordings')
  const config = testConfig(dir, [...LIGHT, 'recording.minFreeMb=100'])
  const capture = captureService(app, dir, config, repository, { freeBytes: async () => free.bytes, diskCheckMs: 200 })
  t.teardown(() => capture.close())
  await capture.start()
  return { app, me, repository, capture, dir }
}

function host(room: Room, me: { id: string; displayName: string }, told: unknown[]): Peer {
  const peer = new Peer({
    displayName: me.displayName,
    kind: 'internal',
    userId: me.id,
    notify: (name, data) => told.push({ name, data }),
  })
  room.addPeer(peer)
  return peer
}

async function openRoom(app: FastifyInstance, ownerId: string): Promise<Room> {
  const stored = await app.roomsRepository.create(ownerId as never, 'Диск')
  return app.roomRegistry.open(stored.id, stored.title)
}

t.test('free space falling under the floor stops the recording cleanly and tells the host', async (t) => {
  const free = { bytes: 10 * 1024 ** 3 }
  const { app, me, repository, capture } = await setUp(t, free)
  const room = await openRoom(app, me.id)
  const told: { name: string; data: unknown }[] = []
  const peer = host(room, me, told)
  const speaker = await joinWithFfmpeg(room, 'Камера', { video: false })
  t.teardown(() => speaker.stop())

  await capture.startRecording(room, peer)
  const [pid] = capture.runningPids()
  await sleep(2000)
  free.bytes = 50 * 1024 * 1024
  const deadline = Date.now() + 10_000
  while (capture.activeRecordings > 0 && Date.now() < deadline) await sleep(100)
  await sleep(300)
  const last = told.filter((n) => n.name === 'recordingState').at(-1)!.data as Notifications['recordingState']
  t.match(last, { active: false, problem: { code: 'disk_low', message: /fell below 100 MiB/ } }, 'the host is told why it stopped')
  const [rec] = await repository.listAll()
  t.match(rec, { status: 'partial', error: { code: 'disk_low' } })
  t.ok(rec!.durationMs! > 1000, `what was recorded plays: ${rec!.durationMs} ms`)
  t.notOk(pidAlive(pid!), 'the recorder is gone')
  await t.rejects(capture.startRecording(room, peer), { code: 'disk_low' }, 'and a new one is refused while the disk is low')
})

t.test('a row a dead server left "recording" is finished at start; retention deletes old ones', async (t) => {
  const { app, me, repository, dir } = await setUp(t, { bytes: 10 * 1024 ** 3 })
  const room = await app.roomsRepository.create(me.id as never, 'Старое')
  const stuck = await repository.create({ roomId: room.id, roomTitle: room.title, roomOwnerId: room.ownerId, startedBy: null, startedByName: 'Ольга', startedAt: Date.now() - 60_000 })
  // A fragmented MP4 cut off mid-write, as a killed server leaves it.
  const sample = join(tempDir(t), 'sample.mp4')
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-t', '2', '-c:v', 'libx264', '-movflags', '+frag_keyframe+empty_moov', '-y', sample])
  copyFileSync(sample, join(dir, stuck.file))
  writeFileSync(join(dir, stuck.chatFile), '# Старое\n')
  const old = await repository.create({ roomId: room.id, roomTitle: room.title, roomOwnerId: room.ownerId, startedBy: null, startedByName: 'Ольга', startedAt: Date.now() - 40 * 86_400_000 })
  await repository.finish(old.id, { status: 'ready', endedAt: Date.now(), durationMs: 1000, sizeBytes: 1, error: null })
  writeFileSync(join(dir, old.file), 'x')

  const config = testConfig(dir, [...LIGHT, 'recording.retentionDays=30'])
  const capture = captureService(app, dir, config, repository)
  t.teardown(() => capture.close())
  await capture.start()
  t.match(await repository.get(stuck.id), { status: 'partial', error: { code: 'server_stopped' } }, 'no recording stays stuck')
  t.ok((await repository.get(stuck.id))!.durationMs! > 1500, 'its file still plays')
  t.equal(await repository.get(old.id), undefined, 'a recording past retention is deleted')
  t.notOk(existsSync(join(dir, old.file)), 'with its file')
})
