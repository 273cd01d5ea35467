// One room's media on its way into ffmpeg: the tap (mediasoup consumers) feeds the relay, the relay
// feeds whichever ffmpeg runs now. A stream that reconnects runs several ffmpegs over one pipeline.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SfuLogger } from '../sfu/logger.ts'
import type { Room } from '../sfu/room.ts'
import { inputSdp } from './ffmpeg-args.ts'
import { FfmpegProcess, PROGRESS_ARGS, type FfmpegWatch } from './ffmpeg-process.ts'
import { placeholderFrame } from './placeholder-frame.ts'
import { RoomTap, type TapLoss } from './room-tap.ts'
import { RtpRelay } from './rtp-relay.ts'
import { pickPortPairs, waitUntilBound } from './udp-ports.ts'

export interface PipelineOptions {
  ffmpeg: string
  width: number
  height: number
  audioSlots: number
  log: SfuLogger
}

/** Thrown when ffmpeg exits before it listens; `stderr` has its reason. */
export class FfmpegStartError extends Error {
  override name = 'FfmpegStartError'
  readonly stderr: string
  constructor(message: string, stderr: string) {
    super(message)
    this.stderr = stderr
  }
}

/** How long ffmpeg may take from spawn to holding its input ports (it loads codecs first). */
const LISTEN_TIMEOUT_MS = 10_000
const PORT_TRIES = 3

export class MediaPipeline {
  readonly #relay: RtpRelay
  readonly #tap: RoomTap
  readonly #dir: string
  readonly #options: PipelineOptions
  #lost: TapLoss | undefined
  readonly #lostListeners: ((reason: TapLoss) => void)[] = []
  #closed = false

  private constructor(relay: RtpRelay, tap: RoomTap, dir: string, options: PipelineOptions) {
    this.#relay = relay
    this.#tap = tap
    this.#dir = dir
    this.#options = options
    // Remembered: the meeting may end while ffmpeg is still starting, before anyone listens.
    this.#lost = tap.lost
    tap.once('lost', (reason) => {
      this.#lost = reason
      for (const listener of this.#lostListeners.splice(0)) listener(reason)
    })
  }

  /** MediaPipeline.open starts consuming `room` (paused until the first ffmpeg listens). */
  static async open(room: Room, options: PipelineOptions): Promise<MediaPipeline> {
    const placeholder = await placeholderFrame(options.ffmpeg, options.width, options.height)
    const dir = await mkdtemp(join(tmpdir(), 'veche-ffmpeg-'))
    const relay = await RtpRelay.open({ audioSlots: options.audioSlots, placeholder })
    try {
      return new MediaPipeline(relay, await RoomTap.open(room, relay, options.log), dir, options)
    } catch (err) {
      relay.close()
      await rm(dir, { recursive: true, force: true })
      throw err
    }
  }

  /** onLost: the room's media is gone (meeting over, or its worker died); called at once if it already is. */
  onLost(listener: (reason: TapLoss) => void): void {
    const lost = this.#lost
    if (lost) queueMicrotask(() => listener(lost))
    else this.#lostListeners.push(listener)
  }

  get relay(): RtpRelay {
    return this.#relay
  }

  /**
   * run starts an ffmpeg whose arguments `argsFor` builds around the SDP file, waits until it listens,
   * then lets media flow to it. Ports another process took meanwhile mean a retry on fresh ones.
   * Throws FfmpegStartError when ffmpeg exits or hangs before listening.
   */
  async run(argsFor: (sdpFile: string) => string[], watch: FfmpegWatch = {}): Promise<FfmpegProcess> {
    for (let attempt = 1; ; attempt++) {
      const ports = await pickPortPairs(1 + this.#relay.audioSlots)
      const outputs = { video: ports[0]!, audio: ports.slice(1) }
      const sdpFile = join(this.#dir, `input-${attempt}.sdp`)
      await writeFile(sdpFile, inputSdp(outputs))
      const ffmpeg = await FfmpegProcess.start(this.#options.ffmpeg, [...PROGRESS_ARGS, ...argsFor(sdpFile)], watch)
      const listening = await waitUntilBound(ports, () => ffmpeg.alive && !this.#closed, LISTEN_TIMEOUT_MS)
      if (listening && !this.#closed) {
        this.#relay.setOutputs(outputs)
        await this.#tap.start()
        this.#tap.requestKeyFrames()
        return ffmpeg
      }
      ffmpeg.kill()
      const exit = await ffmpeg.exited
      const portTaken = /bind failed|address already in use/i.test(exit.stderr)
      if (portTaken && attempt < PORT_TRIES && !this.#closed) continue
      throw new FfmpegStartError(this.#closed ? 'stopped while starting' : `ffmpeg did not start: ${lastLine(exit.stderr) || 'no output'}`, exit.stderr)
    }
  }

  /** close stops consuming and frees the relay; ffmpeg is the caller's to stop first. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#tap.close()
    this.#relay.close()
    await rm(this.#dir, { recursive: true, force: true })
  }
}

/** lastLine: ffmpeg's final stderr line usually names the failure. */
export function lastLine(text: string): string {
  return text.trim().split('\n').at(-1)?.trim() ?? ''
}
