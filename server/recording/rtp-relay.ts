// Sits between mediasoup and one ffmpeg: receives every consumed stream on one UDP socket and sends
// ffmpeg a fixed set of continuous streams: one video (the shown camera or screen, switched on
// keyframes) and N audio slots. ffmpeg's inputs never stall: silent slots get Opus silence and an
// empty picture gets a placeholder keyframe, so ffmpeg needs no restart when people come and go.
import { createSocket, type Socket } from 'node:dgram'
import { assignAudio, chooseVideo, type SourceInfo } from './director.ts'
import { buildRtp, isRtcp, isVp8KeyframeStart, OPUS_SILENCE, readRtp, rewriteRtp, vp8Payloads } from './rtp.ts'

export interface RelaySource extends SourceInfo {
  ssrc: number
  requestKeyFrame(): void
}

export interface RelayOutputs {
  video: number
  audio: number[]
}

/** Payload types in the SDP ffmpeg reads (relay.ts rewrites every packet to these). */
export const VIDEO_PT = 96
export const AUDIO_PT = 111

const TICK_MS = 20
/** A slot without a packet for this long gets silence: a muted mic or a paused producer. */
const SILENCE_AFTER_MS = 60
const PLACEHOLDER_EVERY_MS = 500
const KEYFRAME_RETRY_MS = 1_000
/** Remembered speakers, most recent first; enough to rank every audio slot. */
const SPEAKER_HISTORY = 32

interface Output {
  ssrc: number
  payloadType: number
  clockRate: number
  port: number
  seq: number
  lastOutAt: number
  /** Offsets from the current source's numbering to ours; undefined: recompute on the next packet. */
  seqOffset: number | undefined
  tsOffset: number | undefined
}

const randomSsrc = (): number => (Math.random() * 0xffffffff) >>> 0

export class RtpRelay {
  readonly #socket: Socket
  readonly #sources = new Map<string, RelaySource>()
  readonly #bySsrc = new Map<number, RelaySource>()
  readonly #placeholder: Buffer[]
  readonly #start = performance.now()
  #video: Output | undefined
  #audio: Output[] = []
  #audioSlots: (string | null)[]
  #speakers: string[] = []
  #order = 0
  /** The source on the video output now (undefined: placeholder) and the one awaiting a keyframe. */
  #shown: RelaySource | undefined
  #wanted: RelaySource | undefined
  #lastKeyFrameRequest = 0
  #lastPlaceholder = 0
  #timer: NodeJS.Timeout | undefined
  #closed = false
  /** Packets forwarded per kind: tests and logs read it to see media flowing. */
  readonly forwarded = { audio: 0, video: 0 }

  private constructor(socket: Socket, audioSlots: number, placeholder: Buffer) {
    this.#socket = socket
    this.#audioSlots = new Array<string | null>(audioSlots).fill(null)
    this.#placeholder = vp8Payloads(placeholder)
    socket.on('message', (packet) => this.#receive(packet))
    // ffmpeg gone between two packets (a reconnect): ICMP errors are expected, never fatal.
    socket.on('error', () => undefined)
  }

  /** RtpRelay.open binds the relay's socket on loopback; mediasoup's plain transport sends to `port`. */
  static async open(options: { audioSlots: number; placeholder: Buffer }): Promise<RtpRelay> {
    const socket = createSocket('udp4')
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', reject)
        resolve()
      })
    })
    return new RtpRelay(socket, options.audioSlots, options.placeholder)
  }

  get port(): number {
    return this.#socket.address().port
  }

  get audioSlots(): number {
    return this.#audioSlots.length
  }

  /** setOutputs points the relay at a (new) ffmpeg's ports and starts each output afresh. */
  setOutputs(outputs: RelayOutputs): void {
    const output = (port: number, payloadType: number, clockRate: number): Output => ({
      ssrc: randomSsrc(),
      payloadType,
      clockRate,
      port,
      seq: Math.floor(Math.random() * 0x8000),
      lastOutAt: 0,
      seqOffset: undefined,
      tsOffset: undefined,
    })
    this.#video = output(outputs.video, VIDEO_PT, 90_000)
    this.#audio = outputs.audio.map((port) => output(port, AUDIO_PT, 48_000))
    // A new decoder needs a keyframe: show the placeholder until the chosen camera sends one.
    this.#shown = undefined
    this.#wanted = undefined
    this.#lastPlaceholder = 0
    this.#direct()
    this.#timer ??= setInterval(() => this.#tick(), TICK_MS)
  }

  addSource(source: RelaySource): void {
    source.order = this.#order++
    this.#sources.set(source.id, source)
    this.#bySsrc.set(source.ssrc, source)
    this.#direct()
  }

  removeSource(id: string): void {
    const source = this.#sources.get(id)
    if (!source) return
    this.#sources.delete(id)
    this.#bySsrc.delete(source.ssrc)
    this.#direct()
  }

  setPaused(id: string, paused: boolean): void {
    const source = this.#sources.get(id)
    if (!source || source.paused === paused) return
    source.paused = paused
    this.#direct()
  }

  /** setSpeaker records the room's dominant speaker: their camera is shown and their mic has a slot. */
  setSpeaker(peerId: string | null): void {
    if (peerId === null || this.#speakers[0] === peerId) return
    this.#speakers = [peerId, ...this.#speakers.filter((p) => p !== peerId)].slice(0, SPEAKER_HISTORY)
    this.#direct()
  }

  /** The peer whose picture is on the video output now, if any. */
  get shownPeerId(): string | undefined {
    return this.#shown?.peerId
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    clearInterval(this.#timer)
    this.#socket.close()
  }

  #direct(): void {
    const choice = chooseVideo(this.#sources.values(), this.#speakers)
    if (choice === this.#shown) {
      this.#wanted = undefined
    } else if (!choice) {
      this.#wanted = undefined
      this.#showPlaceholder()
    } else if (choice !== this.#wanted) {
      this.#wanted = choice
      this.#lastKeyFrameRequest = performance.now()
      choice.requestKeyFrame()
    }
    const slots = assignAudio(this.#audioSlots, this.#sources.values(), this.#speakers)
    slots.forEach((id, i) => {
      if (id !== this.#audioSlots[i] && this.#audio[i]) this.#audio[i].tsOffset = undefined
    })
    this.#audioSlots = slots
  }

  #showPlaceholder(): void {
    if (!this.#video) return
    this.#shown = undefined
    this.#video.tsOffset = undefined
    this.#lastPlaceholder = 0
    this.#tick()
  }

  #tick(): void {
    if (this.#closed) return
    const now = performance.now()
    const video = this.#video
    if (video && !this.#shown && now - this.#lastPlaceholder >= PLACEHOLDER_EVERY_MS) {
      this.#lastPlaceholder = now
      const timestamp = this.#clock(now, 90_000)
      this.#placeholder.forEach((payload, i, all) => {
        const last = i === all.length - 1
        this.#send(video, buildRtp({ ssrc: video.ssrc, payloadType: VIDEO_PT, seq: ++video.seq, timestamp, marker: last }, payload), now)
      })
      video.seqOffset = undefined
    }
    if (this.#wanted && now - this.#lastKeyFrameRequest >= KEYFRAME_RETRY_MS) {
      this.#lastKeyFrameRequest = now
      this.#wanted.requestKeyFrame()
    }
    for (const audio of this.#audio) {
      if (now - audio.lastOutAt < SILENCE_AFTER_MS) continue
      // Spread silence at the real frame rate: one 20 ms frame per tick while the slot is quiet.
      const timestamp = this.#clock(now, 48_000)
      this.#send(audio, buildRtp({ ssrc: audio.ssrc, payloadType: AUDIO_PT, seq: ++audio.seq, timestamp, marker: false }, OPUS_SILENCE), now - SILENCE_AFTER_MS + TICK_MS)
      audio.tsOffset = undefined
      audio.seqOffset = undefined
    }
  }

  #clock(now: number, rate: number): number {
    return Math.round(((now - this.#start) * rate) / 1000)
  }

  #receive(packet: Buffer): void {
    if (this.#closed || isRtcp(packet)) return
    const header = readRtp(packet)
    if (!header) return
    const source = this.#bySsrc.get(header.ssrc)
    if (!source) return
    const now = performance.now()
    if (source.kind === 'video') {
      const video = this.#video
      if (!video) return
      if (source === this.#wanted && isVp8KeyframeStart(packet, header)) {
        this.#shown = source
        this.#wanted = undefined
        video.tsOffset = undefined
      }
      if (source !== this.#shown) return
      this.#forward(video, packet, header.seq, header.timestamp, now)
      this.forwarded.video++
      return
    }
    const slot = this.#audioSlots.indexOf(source.id)
    const audio = this.#audio[slot]
    if (slot < 0 || !audio) return
    this.#forward(audio, packet, header.seq, header.timestamp, now)
    this.forwarded.audio++
  }

  /** #forward maps the source's numbering onto the output's, continuing where the output left off. */
  #forward(output: Output, packet: Buffer, seq: number, timestamp: number, now: number): void {
    if (output.tsOffset === undefined || output.seqOffset === undefined) {
      output.tsOffset = this.#clock(now, output.clockRate) - timestamp
      output.seqOffset = output.seq + 1 - seq
    }
    const outSeq = (seq + output.seqOffset) & 0xffff
    // Track the highest sequence sent so a later restart of the mapping continues after it.
    if (((outSeq - output.seq) & 0xffff) < 0x8000) output.seq = outSeq
    rewriteRtp(packet, { ssrc: output.ssrc, payloadType: output.payloadType, seq: outSeq, timestamp: timestamp + output.tsOffset })
    this.#send(output, packet, now)
  }

  #send(output: Output, packet: Buffer, now: number): void {
    output.lastOutAt = now
    this.#socket.send(packet, output.port, '127.0.0.1')
  }
}
