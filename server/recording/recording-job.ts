// One recording of one meeting: the media pipeline into an ffmpeg writing a fragmented MP4, and the
// chat beside it. It ends exactly once: stopped by the host, or on its own (meeting over, media
// worker died, ffmpeg crashed, disk low), always with ffmpeg gone and the file closed or cut.
import { EventEmitter } from 'node:events'
import type { SfuLogger } from '../sfu/logger.ts'
import type { Room } from '../sfu/room.ts'
import type { ChatMessage } from '../signaling/protocol.ts'
import { ChatLog } from './chat-log.ts'
import { recordArgs, type EncodeSettings } from './ffmpeg-args.ts'
import type { FfmpegProcess } from './ffmpeg-process.ts'
import { lastLine, MediaPipeline } from './media-pipeline.ts'

export interface JobProblem {
  code: string
  message: string
}

export interface RecordingOutcome {
  /** Why it ended early; null when it was stopped normally (by the host, or the meeting ended). */
  problem: JobProblem | null
  /** ffmpeg closed the file itself (trailer written); false: killed, the file ends at its last fragment. */
  closedCleanly: boolean
}

export interface RecordingJobOptions {
  room: Room
  file: string
  chatFile: string
  title: string
  ffmpeg: string
  settings: EncodeSettings
  audioSlots: number
  log: SfuLogger
}

export interface RecordingJobEvents {
  ended: [RecordingOutcome]
}

export class RecordingJob extends EventEmitter<RecordingJobEvents> {
  readonly pid: number
  readonly #pipeline: MediaPipeline
  readonly #ffmpeg: FfmpegProcess
  readonly #unsubscribe: () => void
  #ending: Promise<RecordingOutcome> | undefined

  private constructor(pipeline: MediaPipeline, ffmpeg: FfmpegProcess, unsubscribe: () => void) {
    super()
    this.pid = ffmpeg.pid
    this.#pipeline = pipeline
    this.#ffmpeg = ffmpeg
    this.#unsubscribe = unsubscribe
  }

  /** RecordingJob.start returns once ffmpeg is writing; throws (leaving nothing running) if it cannot start. */
  static async start(options: RecordingJobOptions): Promise<RecordingJob> {
    const { room, log } = options
    const chat = new ChatLog(options.chatFile, options.title, Date.now())
    const onChat = (message: ChatMessage): void => chat.add(message)
    room.on('chat', onChat)
    const unsubscribe = (): void => void room.off('chat', onChat)
    let pipeline: MediaPipeline | undefined
    try {
      pipeline = await MediaPipeline.open(room, { ffmpeg: options.ffmpeg, width: options.settings.width, height: options.settings.height, audioSlots: options.audioSlots, log })
      const ffmpeg = await pipeline.run((sdp) => recordArgs(sdp, options.file, options.settings, options.audioSlots), {
        onStderr: (line) => log.debug({ room: room.id, ffmpeg: line }, 'recorder says'),
      })
      const job = new RecordingJob(pipeline, ffmpeg, unsubscribe)
      job.#watch(room.id, log)
      return job
    } catch (err) {
      unsubscribe()
      await pipeline?.close()
      throw err
    }
  }

  #watch(roomId: string, log: SfuLogger): void {
    void this.#ffmpeg.exited.then((exit) => {
      if (exit.requested) return
      log.error({ room: roomId, code: exit.code, signal: exit.signal, stderr: exit.stderr }, 'recorder exited unexpectedly')
      const why = lastLine(exit.stderr) || (exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`)
      void this.stop({ code: 'recorder_failed', message: `the recorder stopped unexpectedly (${why}); the file keeps what was recorded` })
    })
    this.#pipeline.onLost((reason) => {
      if (reason === 'meeting_ended') void this.stop(null)
      else void this.stop({ code: 'media_lost', message: 'the media server restarted; the recording was stopped and keeps what was recorded' })
    })
  }

  get ended(): boolean {
    return this.#ending !== undefined
  }

  /** stop ends the recording (once; later calls get the same outcome) and closes the file. */
  stop(problem: JobProblem | null, killAfterMs = 5_000): Promise<RecordingOutcome> {
    this.#ending ??= (async () => {
      this.#unsubscribe()
      const exit = await this.#ffmpeg.stop(killAfterMs)
      await this.#pipeline.close()
      const outcome: RecordingOutcome = { problem, closedCleanly: exit.signal !== 'SIGKILL' }
      this.emit('ended', outcome)
      return outcome
    })()
    return this.#ending
  }
}
