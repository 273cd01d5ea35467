// One live stream of one meeting to an RTMP(S) server: the media pipeline into an ffmpeg publishing
// FLV. When the server refuses or drops the connection, a fresh ffmpeg tries again a few times, then
// the stream stops and says why. Every state change is reported; ffmpeg never outlives the job.
import { EventEmitter } from 'node:events'
import type { SfuLogger } from '../sfu/logger.ts'
import type { Room } from '../sfu/room.ts'
import { streamArgs, type EncodeSettings } from './ffmpeg-args.ts'
import type { FfmpegExit, FfmpegProcess } from './ffmpeg-process.ts'
import { FfmpegStartError, lastLine, MediaPipeline } from './media-pipeline.ts'
import type { JobProblem } from './recording-job.ts'

export type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'off'

export interface StreamProgress {
  status: StreamStatus
  /** Reconnect attempts made since the stream was last live. */
  attempt: number
  problem: JobProblem | null
}

export interface StreamingJobOptions {
  room: Room
  /** rtmp:// or rtmps:// URL including the stream key; never logged. */
  target: string
  ffmpeg: string
  settings: EncodeSettings
  audioSlots: number
  reconnectAttempts: number
  reconnectDelayMs: number
  log: SfuLogger
}

export interface StreamingJobEvents {
  progress: [StreamProgress]
}

/** streamProblem names what went wrong from ffmpeg's own last words. */
export function streamProblem(stderr: string, wasLive: boolean): JobProblem {
  const said = lastLine(stderr)
  if (/connection refused/i.test(stderr)) {
    return { code: 'connection_refused', message: 'the streaming server refused the connection: check the URL and that the server is up' }
  }
  if (/name or service not known|failed to resolve|no address associated|temporary failure in name resolution/i.test(stderr)) {
    return { code: 'host_not_found', message: 'the streaming server’s name could not be resolved: check the URL' }
  }
  if (/timed out|timeout/i.test(stderr)) return { code: 'timeout', message: 'the streaming server did not answer in time' }
  if (/tls|ssl|certificate|handshake/i.test(stderr)) return { code: 'tls_failed', message: `a secure connection could not be made: ${said}` }
  if (wasLive || /broken pipe|connection reset|end of file|i\/o error|input\/output error/i.test(stderr)) {
    return { code: 'stream_dropped', message: 'the streaming server dropped the stream' }
  }
  return { code: 'stream_failed', message: `the stream could not be sent: ${said || 'ffmpeg stopped'}` }
}

/** redactTarget hides the stream key (the last path segment and any query) for logs. */
export function redactTarget(target: string): string {
  return target.replace(/^(rtmps?:\/\/[^/]+\/(?:.*\/)?)[^/]*$/i, '$1***')
}

export class StreamingJob extends EventEmitter<StreamingJobEvents> {
  readonly #options: StreamingJobOptions
  readonly #pipeline: MediaPipeline
  #ffmpeg: FfmpegProcess | undefined
  #progress: StreamProgress = { status: 'connecting', attempt: 0, problem: null }
  #stopped = false
  #retry: NodeJS.Timeout | undefined
  #ending: Promise<void> | undefined

  private constructor(options: StreamingJobOptions, pipeline: MediaPipeline) {
    super()
    this.#options = options
    this.#pipeline = pipeline
  }

  /** StreamingJob.start returns once the first ffmpeg runs (connecting); throws if none can start. */
  static async start(options: StreamingJobOptions): Promise<StreamingJob> {
    const { settings } = options
    const pipeline = await MediaPipeline.open(options.room, { ffmpeg: options.ffmpeg, width: settings.width, height: settings.height, audioSlots: options.audioSlots, log: options.log })
    const job = new StreamingJob(options, pipeline)
    try {
      await job.#launch()
    } catch (err) {
      await pipeline.close()
      throw err
    }
    pipeline.onLost((reason) => {
      if (reason === 'meeting_ended') void job.stop(null)
      else void job.stop({ code: 'media_lost', message: 'the media server restarted; the stream was stopped' })
    })
    return job
  }

  get progress(): StreamProgress {
    return this.#progress
  }

  /** The pids of the ffmpeg running now (tests check none is left). */
  get pid(): number | undefined {
    return this.#ffmpeg?.pid
  }

  #set(progress: StreamProgress): void {
    this.#progress = progress
    this.emit('progress', progress)
  }

  async #launch(): Promise<void> {
    const { log, room } = this.#options
    let wasLive = false
    const ffmpeg = await this.#pipeline.run((sdp) => streamArgs(sdp, this.#options.target, this.#options.settings, this.#options.audioSlots), {
      onStderr: (line) => log.debug({ room: room.id, ffmpeg: line }, 'streamer says'),
      onProgress: (ms) => {
        // Media time advancing means the server took the stream's header and packets.
        if (ms <= 0 || wasLive || this.#stopped || this.#ffmpeg !== ffmpeg) return
        wasLive = true
        log.info({ room: room.id, target: redactTarget(this.#options.target) }, 'stream is live')
        this.#set({ status: 'live', attempt: 0, problem: null })
      },
    })
    this.#ffmpeg = ffmpeg
    if (this.#stopped) {
      await ffmpeg.stop()
      return
    }
    void ffmpeg.exited.then((exit) => this.#onExit(ffmpeg, exit, wasLive))
  }

  #onExit(ffmpeg: FfmpegProcess, exit: FfmpegExit, wasLive: boolean): void {
    if (exit.requested || this.#stopped || this.#ffmpeg !== ffmpeg) return
    const { log, room, reconnectAttempts, reconnectDelayMs } = this.#options
    const problem = streamProblem(exit.stderr, wasLive)
    log.warn({ room: room.id, code: problem.code, exit: exit.code, stderr: exit.stderr, target: redactTarget(this.#options.target) }, 'stream interrupted')
    this.#tryAgain(problem, wasLive ? 0 : this.#progress.attempt, reconnectAttempts, reconnectDelayMs)
  }

  #tryAgain(problem: JobProblem, attemptsMade: number, max: number, delayMs: number): void {
    if (this.#stopped) return
    if (attemptsMade >= max) {
      const tries = max === 0 ? '' : ` after ${max} reconnect attempt${max === 1 ? '' : 's'}`
      void this.stop({ code: problem.code, message: `the stream stopped${tries}: ${problem.message}` }, attemptsMade)
      return
    }
    const attempt = attemptsMade + 1
    this.#set({ status: 'reconnecting', attempt, problem })
    this.#retry = setTimeout(() => {
      if (this.#stopped) return
      this.#launch().catch((err: Error) => {
        const why = err instanceof FfmpegStartError ? streamProblem(err.stderr, false) : { code: 'stream_failed', message: err.message }
        this.#tryAgain(why, attempt, max, delayMs)
      })
    }, delayMs)
  }

  /** stop ends the stream (once): ffmpeg is stopped and the pipeline closed before it resolves. */
  stop(problem: JobProblem | null, attempt = 0): Promise<void> {
    this.#ending ??= (async () => {
      this.#stopped = true
      clearTimeout(this.#retry)
      await this.#ffmpeg?.stop(3_000)
      await this.#pipeline.close()
      this.#set({ status: 'off', attempt, problem })
    })()
    return this.#ending
  }
}
