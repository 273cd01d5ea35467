// Owns every recording and live stream on this server: who may start them, how many may run, the
// disk guard, the recordings' database rows and files, and telling each meeting's participants what
// is being recorded or streamed. Jobs end here exactly once, never leaving a row stuck "recording".
import { mkdirSync } from 'node:fs'
import { rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Config } from '../../config/schema.ts'
import type { Recording, RecordingsRepository } from '../db/recordings-repository.ts'
import type { Refusal } from '../license/policy.ts'
import { SfuError } from '../sfu/errors.ts'
import type { SfuLogger } from '../sfu/logger.ts'
import type { Peer } from '../sfu/peer.ts'
import type { Room } from '../sfu/room.ts'
import type { CaptureProblem, RecordingState, StreamingState } from '../signaling/protocol.ts'
import { freeBytes } from './disk-space.ts'
import type { EncodeSettings } from './ffmpeg-args.ts'
import { runningFfmpegPids } from './ffmpeg-process.ts'
import { mayControlCapture } from './permissions.ts'
import { probeFile } from './probe.ts'
import { RecordingJob, type RecordingOutcome } from './recording-job.ts'
import { redactTarget, StreamingJob, type StreamProgress } from './streaming-job.ts'

export type CaptureFeature = 'recording' | 'streaming'

export interface CaptureServiceOptions {
  /** <data.dir>/recordings */
  dir: string
  recording: Config['recording']
  streaming: Config['streaming']
  repository: RecordingsRepository
  /** The room's stored title and owner (the owner may see its recordings). */
  lookupRoom: (id: string) => Promise<{ title: string; ownerId: string } | undefined>
  /** Why the license refuses `feature` now, or undefined. */
  refuseFeature: (feature: CaptureFeature) => Refusal | undefined
  log: SfuLogger
  /** Tests: a disk that fills up on demand. */
  freeBytes?: (dir: string) => Promise<number>
  /** Tests: how often the disk guard looks (ms). */
  diskCheckMs?: number
}

interface ActiveRecording {
  job: RecordingJob
  record: Recording
  startedBy: string
  /** Resolves once the row is final and everyone was told. */
  finished: Promise<void>
}

interface ActiveStream {
  job: StreamingJob
  startedBy: string
}

interface RoomCapture {
  recording: ActiveRecording | undefined
  recordingProblem: CaptureProblem | null
  recordingStarting: boolean
  stream: ActiveStream | undefined
  streamStarting: boolean
  /** The last stream state (kept after it stops, so the host sees why). */
  streamProgress: StreamProgress
}

const MIB = 1024 * 1024
const HOUR = 60 * 60 * 1000

export class CaptureService {
  readonly dir: string
  readonly #options: CaptureServiceOptions
  readonly #log: SfuLogger
  readonly #rooms = new Map<Room, RoomCapture>()
  readonly #freeBytes: (dir: string) => Promise<number>
  readonly #timers: NodeJS.Timeout[] = []
  #closing = false

  constructor(options: CaptureServiceOptions) {
    this.dir = options.dir
    this.#options = options
    this.#log = options.log
    this.#freeBytes = options.freeBytes ?? freeBytes
    // Recordings are people's faces and words: only the service account reads them.
    mkdirSync(this.dir, { recursive: true, mode: 0o750 })
  }

  /** start finishes rows a dead server left "recording", applies retention, and starts the guards. */
  async start(): Promise<void> {
    for (const record of await this.#options.repository.listInProgress()) {
      await this.#finishRow(record, {
        problem: { code: 'server_stopped', message: 'the server stopped while recording; the file keeps what was recorded until then' },
        closedCleanly: false,
      })
    }
    await this.sweepRetention()
    const retention = setInterval(() => void this.sweepRetention().catch((err: Error) => this.#log.error({ err: err.message }, 'retention sweep failed')), HOUR)
    const disk = setInterval(() => void this.#guardDisk(), this.#options.diskCheckMs ?? 5_000)
    retention.unref()
    disk.unref()
    this.#timers.push(retention, disk)
  }

  fileOf(record: Recording): string {
    return join(this.dir, record.file)
  }

  chatFileOf(record: Recording): string {
    return join(this.dir, record.chatFile)
  }

  /** ffmpeg processes alive now, recorders and streamers alike (tests assert none is left). */
  runningPids(): number[] {
    return runningFfmpegPids()
  }

  get activeRecordings(): number {
    let n = 0
    for (const c of this.#rooms.values()) n += c.recording || c.recordingStarting ? 1 : 0
    return n
  }

  get activeStreams(): number {
    let n = 0
    for (const c of this.#rooms.values()) n += c.stream || c.streamStarting ? 1 : 0
    return n
  }

  #capture(room: Room): RoomCapture {
    let c = this.#rooms.get(room)
    if (!c) {
      c = {
        recording: undefined,
        recordingProblem: null,
        recordingStarting: false,
        stream: undefined,
        streamStarting: false,
        streamProgress: { status: 'off', attempt: 0, problem: null },
      }
      this.#rooms.set(room, c)
      room.once('close', () => {
        const left = this.#rooms.get(room)
        if (left && !left.recording && !left.stream) this.#rooms.delete(room)
      })
    }
    return c
  }

  #forget(room: Room, c: RoomCapture): void {
    if (room.closed && !c.recording && !c.stream && !c.recordingStarting && !c.streamStarting) this.#rooms.delete(room)
  }

  #allowed(feature: CaptureFeature, room: Room, peer: Peer): boolean {
    const max = feature === 'recording' ? this.#options.recording.maxConcurrent : this.#options.streaming.maxConcurrent
    return max > 0 && !this.#options.refuseFeature(feature) && mayControlCapture(room, peer)
  }

  recordingState(room: Room, peer: Peer): RecordingState {
    const c = this.#rooms.get(room)
    const r = c?.recording
    return {
      allowed: this.#allowed('recording', room, peer),
      active: r !== undefined,
      startedAt: r ? r.record.startedAt : null,
      startedBy: r ? r.startedBy : null,
      problem: c?.recordingProblem ?? null,
    }
  }

  streamingState(room: Room, peer: Peer): StreamingState {
    const c = this.#rooms.get(room)
    const p = c?.streamProgress ?? { status: 'off', attempt: 0, problem: null }
    return {
      allowed: this.#allowed('streaming', room, peer),
      preset: this.#options.streaming.url !== '',
      status: c?.stream ? p.status : 'off',
      startedBy: c?.stream?.startedBy ?? null,
      attempt: p.attempt,
      maxAttempts: this.#options.streaming.reconnectAttempts,
      problem: p.problem,
    }
  }

  #tellRecording(room: Room): void {
    for (const peer of room.peers.values()) peer.notify('recordingState', this.recordingState(room, peer))
  }

  #tellStreaming(room: Room): void {
    for (const peer of room.peers.values()) peer.notify('streamingState', this.streamingState(room, peer))
  }

  /** #refuse throws the refusal a host sees when `feature` may not start now. */
  #refuse(feature: CaptureFeature, room: Room, peer: Peer, running: number, max: number): void {
    const refused = this.#options.refuseFeature(feature)
    if (refused) throw new SfuError(refused.code === 'feature_unlicensed' ? 'feature_unlicensed' : 'license_required', refused.message)
    if (!mayControlCapture(room, peer)) throw new SfuError('forbidden', `only a host of this meeting may start or stop ${feature}`)
    if (this.#closing) throw new SfuError('busy', 'the server is shutting down')
    if (max === 0) throw new SfuError('busy', `${feature} is turned off on this server (${feature}.maxConcurrent is 0)`, 0)
    if (running >= max) {
      throw new SfuError('busy', `this server runs at most ${max} ${feature === 'recording' ? 'recording' : 'stream'}${max === 1 ? '' : 's'} at once and all are in use: try again later`, max)
    }
  }

  async #checkDisk(): Promise<void> {
    const floor = this.#options.recording.minFreeMb * MIB
    const free = await this.#freeBytes(this.dir)
    if (free < floor) {
      throw new SfuError('disk_low', `only ${Math.floor(free / MIB)} MiB of disk space is free, below the ${this.#options.recording.minFreeMb} MiB the server keeps: ask the administrator to free space`)
    }
  }

  /** startRecording starts recording `room` for host `peer`; throws an SfuError naming the refusal. */
  async startRecording(room: Room, peer: Peer): Promise<RecordingState> {
    const c = this.#capture(room)
    if (c.recording || c.recordingStarting) throw new SfuError('conflict', 'this meeting is already being recorded')
    this.#refuse('recording', room, peer, this.activeRecordings, this.#options.recording.maxConcurrent)
    c.recordingStarting = true
    try {
      await this.#checkDisk()
      const stored = await this.#options.lookupRoom(room.id)
      const record = await this.#options.repository.create({
        roomId: room.id,
        roomTitle: stored?.title ?? room.title,
        roomOwnerId: stored?.ownerId ?? null,
        startedBy: peer.userId ?? null,
        startedByName: peer.displayName,
        startedAt: Date.now(),
      })
      let job: RecordingJob
      try {
        job = await RecordingJob.start({
          room,
          file: this.fileOf(record),
          chatFile: this.chatFileOf(record),
          title: record.roomTitle,
          ffmpeg: this.#options.recording.ffmpeg,
          settings: this.#encodeSettings(this.#options.recording.videoKbps),
          audioSlots: this.#options.recording.audioSlots,
          log: this.#log,
        })
      } catch (err) {
        const message = `the recorder could not start: ${(err as Error).message}`
        await this.#finishRow(record, { problem: { code: 'recorder_failed', message }, closedCleanly: false })
        throw new SfuError('media_error', message)
      }
      let finish!: () => void
      const active: ActiveRecording = { job, record, startedBy: peer.displayName, finished: new Promise((r) => (finish = r)) }
      c.recording = active
      c.recordingProblem = null
      job.once('ended', (outcome) => void this.#recordingEnded(room, c, active, outcome).finally(finish))
      this.#log.info({ room: room.id, recording: record.id, by: peer.userId, pid: job.pid }, 'recording started')
    } finally {
      c.recordingStarting = false
    }
    this.#tellRecording(room)
    return this.recordingState(room, peer)
  }

  /** stopRecording stops the meeting's recording and resolves once its file is closed and listed. */
  async stopRecording(room: Room, peer: Peer): Promise<RecordingState> {
    if (!mayControlCapture(room, peer)) throw new SfuError('forbidden', 'only a host of this meeting may start or stop recording')
    const active = this.#rooms.get(room)?.recording
    if (!active) throw new SfuError('conflict', 'this meeting is not being recorded')
    await active.job.stop(null)
    await active.finished
    return this.recordingState(room, peer)
  }

  async #recordingEnded(room: Room, c: RoomCapture, active: ActiveRecording, outcome: RecordingOutcome): Promise<void> {
    const record = await this.#finishRow(active.record, outcome)
    if (c.recording === active) c.recording = undefined
    c.recordingProblem = outcome.problem
    const fields = { room: room.id, recording: active.record.id, status: record?.status, durationMs: record?.durationMs, problem: outcome.problem?.code }
    if (outcome.problem) this.#log.warn(fields, `recording ended early: ${outcome.problem.message}`)
    else this.#log.info(fields, 'recording stopped')
    this.#tellRecording(room)
    this.#forget(room, c)
  }

  /** #finishRow measures the file and makes the row final: ready, partial (ended by a problem) or failed. */
  async #finishRow(record: Recording, outcome: RecordingOutcome): Promise<Recording | undefined> {
    const file = this.fileOf(record)
    const size = await stat(file).then((s) => s.size, () => 0)
    const durationMs = size > 0 ? await probeFile(this.#options.recording.ffprobe, file).then((p) => p.durationMs, () => 0) : 0
    const playable = durationMs > 0
    const problem = outcome.problem ?? (playable ? null : { code: 'empty', message: 'nothing was recorded' })
    return this.#options.repository.finish(record.id, {
      status: !playable ? 'failed' : problem ? 'partial' : 'ready',
      endedAt: Date.now(),
      durationMs: playable ? durationMs : null,
      sizeBytes: size,
      error: problem,
    })
  }

  async #guardDisk(): Promise<void> {
    const recordings = [...this.#rooms.values()].map((c) => c.recording).filter((r): r is ActiveRecording => r !== undefined && !r.job.ended)
    if (recordings.length === 0) return
    const floor = this.#options.recording.minFreeMb
    let free: number
    try {
      free = await this.#freeBytes(this.dir)
    } catch (err) {
      this.#log.error({ err: (err as Error).message, dir: this.dir }, 'cannot read free disk space')
      return
    }
    if (free >= floor * MIB) return
    const problem = { code: 'disk_low', message: `free disk space fell below ${floor} MiB; the recording was stopped and keeps what was recorded` }
    this.#log.error({ freeMiB: Math.floor(free / MIB), floorMiB: floor }, 'disk space low: stopping recordings')
    await Promise.all(recordings.map((r) => r.job.stop(problem)))
  }

  /** startStreaming streams `room` to `url` (+ `key`) or the admin's preset; throws an SfuError naming the refusal. */
  async startStreaming(room: Room, peer: Peer, target: { url?: string | undefined; key?: string | undefined }): Promise<StreamingState> {
    const c = this.#capture(room)
    if (c.stream || c.streamStarting) throw new SfuError('conflict', 'this meeting is already being streamed')
    const { streaming } = this.#options
    this.#refuse('streaming', room, peer, this.activeStreams, streaming.maxConcurrent)
    const url = (target.url ?? streaming.url).trim()
    const key = (target.url === undefined ? streaming.key : (target.key ?? '')).trim()
    if (!/^rtmps?:\/\/[^/\s]+/i.test(url)) {
      throw new SfuError('bad_request', url ? 'the stream URL must start with rtmp:// or rtmps://' : 'enter the streaming server’s URL (no preset is configured)')
    }
    const full = key ? `${url.replace(/\/+$/, '')}/${key}` : url
    c.streamStarting = true
    c.streamProgress = { status: 'connecting', attempt: 0, problem: null }
    try {
      const job = await StreamingJob.start({
        room,
        target: full,
        ffmpeg: this.#options.recording.ffmpeg,
        settings: this.#encodeSettings(streaming.videoKbps),
        audioSlots: this.#options.recording.audioSlots,
        reconnectAttempts: streaming.reconnectAttempts,
        reconnectDelayMs: streaming.reconnectDelaySeconds * 1000,
        log: this.#log,
      })
      const active: ActiveStream = { job, startedBy: peer.displayName }
      c.stream = active
      c.streamProgress = job.progress
      job.on('progress', (progress) => {
        if (c.stream !== active) return
        c.streamProgress = progress
        if (progress.status === 'off') {
          c.stream = undefined
          this.#log.info({ room: room.id, problem: progress.problem?.code }, 'stream stopped')
          this.#forget(room, c)
        }
        this.#tellStreaming(room)
      })
      this.#log.info({ room: room.id, by: peer.userId, target: redactTarget(full) }, 'stream started')
    } catch (err) {
      c.streamProgress = { status: 'off', attempt: 0, problem: null }
      throw new SfuError('media_error', `the stream could not start: ${(err as Error).message}`)
    } finally {
      c.streamStarting = false
    }
    this.#tellStreaming(room)
    return this.streamingState(room, peer)
  }

  async stopStreaming(room: Room, peer: Peer): Promise<StreamingState> {
    if (!mayControlCapture(room, peer)) throw new SfuError('forbidden', 'only a host of this meeting may start or stop streaming')
    const active = this.#rooms.get(room)?.stream
    if (!active) throw new SfuError('conflict', 'this meeting is not being streamed')
    await active.job.stop(null)
    return this.streamingState(room, peer)
  }

  #encodeSettings(videoKbps: number): EncodeSettings {
    const { width, height, frameRate, audioKbps } = this.#options.recording
    return { width, height, frameRate, videoBitrate: videoKbps, audioBitrate: audioKbps }
  }

  /** deleteRecording removes a finished recording's files and row; refuses one still recording. */
  async deleteRecording(record: Recording): Promise<void> {
    if (record.status === 'recording') throw new SfuError('conflict', 'this recording is still running: stop it first')
    await rm(this.fileOf(record), { force: true })
    await rm(this.chatFileOf(record), { force: true })
    await this.#options.repository.delete(record.id)
  }

  /** sweepRetention deletes recordings older than recording.retentionDays (0: keeps all). */
  async sweepRetention(now = Date.now()): Promise<number> {
    const days = this.#options.recording.retentionDays
    if (days === 0) return 0
    const old = await this.#options.repository.listStartedBefore(now - days * 24 * HOUR)
    for (const record of old) await this.deleteRecording(record)
    if (old.length > 0) this.#log.info({ deleted: old.length, retentionDays: days }, 'old recordings deleted')
    return old.length
  }

  /** close stops every recording and stream and waits until their ffmpegs are gone and rows final. */
  async close(): Promise<void> {
    this.#closing = true
    for (const t of this.#timers) clearInterval(t)
    const waits: Promise<unknown>[] = []
    for (const c of this.#rooms.values()) {
      const recording = c.recording
      if (recording) waits.push(recording.job.stop(null, 3_000).then(() => recording.finished))
      if (c.stream) waits.push(c.stream.job.stop(null))
    }
    await Promise.all(waits)
  }
}
