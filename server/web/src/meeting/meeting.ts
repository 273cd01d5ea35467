// Owns one participation in a room: the signaling connection (with reconnects), the media session,
// local tracks, the participants with their remote media, and the chat. Views only read and subscribe.
import type { ChatMessage, JoinedResult, LobbyEntryInfo, MethodData, MethodResults, PeerInfo, RecordingState, StreamingState } from '../../../signaling/protocol.ts'
import { Emitter } from '../emitter.ts'
import { ConnectionQuality } from './connection-quality.ts'
import { QualityTally, stayLevel } from './quality-tally.ts'
import { openCamera, openMic, openScreen } from './local-media.ts'
import { backoffMs, fatalReason, isConnectionLoss, probeRoom, type EndReason } from './connection-policy.ts'
import { MediaSession } from './media-session.ts'
import { Roster, type Participant } from './roster.ts'
import { SignalingClient, SignalingError, signalingUrl, type NotificationMessage } from './signaling-client.ts'

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'unreachable' | 'mediaRestarting'

export type { EndReason } from './connection-policy.ts'

/** Short-lived things to tell the user; the view translates them. */
export type Notice =
  | 'micUnavailable'
  | 'cameraUnavailable'
  | 'screenFailed'
  | 'mediaRestored'
  | 'mediaFailed'
  | 'chatFailed'
  | 'reconnected'
  | 'mutedByHost'
  | 'cameraOffByHost'

export type { Participant, RemoteMedia } from './roster.ts'
export type { ConnectionNotice } from './connection-quality.ts'

/** How often the stay's quality totals go to the server (meeting history), and the server's least gap. */
const REPORT_EVERY_MS = 15_000
const REPORT_MIN_MS = 5500
export type { QualityLevel } from './quality-watch.ts'

export interface LocalMedia {
  mic: MediaStreamTrack | null
  micMuted: boolean
  camera: MediaStreamTrack | null
  screen: MediaStreamTrack | null
}

export interface MeetingOptions {
  roomId: string
  /** A guest's name; null for a signed-in employee (the server knows the name from the account). */
  guestName: string | null
  /** The room's PIN a guest entered; null when none was asked for. */
  pin: string | null
  mic: MediaStreamTrack | null
  micMuted: boolean
  camera: MediaStreamTrack | null
  micDeviceId: string | null
  cameraDeviceId: string | null
}

type MeetingEvents = {
  status: [ConnectionStatus]
  /** Someone joined or left, or someone's media changed. */
  participants: []
  local: []
  speaker: [string | null]
  chat: [ChatMessage]
  /** The whole chat was replaced (after a rejoin). */
  chatReset: []
  notice: [Notice]
  /** Why, and for limit refusals the license's limit. */
  ended: [EndReason, number | undefined]
  /** The recording or streaming state changed (see `recording`, `streaming`). */
  capture: []
  /** Waiting in the lobby, the hosts, the lobby queue or the lock changed. */
  moderation: []
  /** A connection level or the poor-connection notice changed (see `quality`). */
  quality: []
}

/** The signaling methods that start and stop recording and streaming. */
export type CaptureMethod = 'startRecording' | 'stopRecording' | 'startStreaming' | 'stopStreaming'

/** The signaling methods only a host may call. */
export type HostMethod = 'admit' | 'reject' | 'mutePeer' | 'muteAll' | 'cameraOff' | 'removeParticipant' | 'makeHost' | 'setLocked' | 'endMeeting'

export class Meeting extends Emitter<MeetingEvents> {
  readonly roomId: string
  readonly local: LocalMedia
  self: PeerInfo | null = null
  status: ConnectionStatus = 'connecting'
  /** Whether the meeting is recorded or streamed now; null until the server said. */
  recording: RecordingState | null = null
  streaming: StreamingState | null = null
  /** In the lobby: a host has not admitted this user yet (no media, no chat). */
  waiting = false
  hosts: ReadonlySet<string> = new Set()
  locked = false
  /** Who waits in the lobby; only hosts are told. */
  lobby: readonly LobbyEntryInfo[] = []

  readonly #guestName: string | null
  readonly #pin: string | null
  readonly #micDeviceId: string | null
  readonly #cameraDeviceId: string | null
  #signaling: SignalingClient | null = null
  // Set once `join` succeeded on #signaling: chat works from then on, even while media is set up.
  #joinedOn: SignalingClient | null = null
  #media: MediaSession | null = null
  // Media operations run one at a time: a mediaReset must not interleave with a produce or consume.
  #queue: Promise<void> = Promise.resolve()
  #connecting = false
  #ended = false
  #wakeRetry: (() => void) | null = null
  readonly #requestedLayers = new Map<string, number>()
  readonly #roster = new Roster()
  /** Connection levels per person and of this user, and the poor-connection notice. */
  readonly quality = new ConnectionQuality()
  /** This stay's time at each level, reported to the server for the meeting history. */
  readonly #tally = new QualityTally()
  #tallyReportedAt = 0

  constructor(options: MeetingOptions) {
    super()
    this.roomId = options.roomId
    this.#guestName = options.guestName
    this.#pin = options.pin
    this.#micDeviceId = options.micDeviceId
    this.#cameraDeviceId = options.cameraDeviceId
    this.local = { mic: options.mic, micMuted: options.micMuted, camera: options.camera, screen: null }
    if (this.local.mic) this.local.mic.enabled = !this.local.micMuted
    this.#watchEnded(this.local.mic, 'mic')
    this.#watchEnded(this.local.camera, 'camera')
  }

  get ended(): boolean {
    return this.#ended
  }

  /** The others in the meeting (not this user), by peer id. */
  get participants(): ReadonlyMap<string, Participant> {
    return this.#roster.participants
  }

  get chat(): readonly ChatMessage[] {
    return this.#roster.chat
  }

  get activeSpeakerId(): string | null {
    return this.#roster.activeSpeakerId
  }

  /** isHost: this user hosts the meeting and may use the host controls. */
  get isHost(): boolean {
    return this.self !== null && this.hosts.has(this.self.id)
  }

  /** start connects to the room; progress and failures arrive as events. */
  start(): void {
    void this.#connectLoop()
  }

  /** retryNow skips the remaining reconnect delay. */
  retryNow(): void {
    this.#wakeRetry?.()
  }

  /** leave says goodbye to the server (briefly; it also notices the closed socket) and stops all media. */
  async leave(): Promise<void> {
    if (this.#ended) return
    const signaling = this.#signaling
    this.#ended = true
    if (signaling) {
      // The last seconds of the stay for the history; the server takes one report per 5 s at most.
      if (performance.now() - this.#tallyReportedAt >= REPORT_MIN_MS) this.#reportQuality(signaling)
      await Promise.race([signaling.request('leave', {}).catch(() => {}), new Promise((resolve) => setTimeout(resolve, 1000))])
    }
    this.#finish('left')
  }

  /** toggleMic mutes or unmutes; the first unmute without a microphone track opens one. */
  async toggleMic(): Promise<void> {
    if (this.#ended) return
    const track = this.local.mic
    if (track && track.readyState === 'live') {
      this.local.micMuted = !this.local.micMuted
      track.enabled = !this.local.micMuted
      this.emit('local')
      const muted = this.local.micMuted
      this.#withMedia(async (media) => {
        if (media.hasProducer('mic')) await media.setPaused('mic', muted)
        else if (!muted) await media.produce('mic', track)
      })
      return
    }
    try {
      const opened = await openMic(this.#micDeviceId).catch(() => openMic(null))
      if (this.#ended) return opened.stop()
      this.local.mic = opened
      this.local.micMuted = false
      this.#watchEnded(opened, 'mic')
      this.emit('local')
      this.#withMedia((media) => media.produce('mic', opened))
    } catch {
      this.emit('notice', 'micUnavailable')
    }
  }

  /** toggleCamera turns the camera off (closing the producer and releasing the device) or on again. */
  async toggleCamera(): Promise<void> {
    if (this.#ended) return
    const track = this.local.camera
    if (track) {
      this.local.camera = null
      track.stop()
      this.emit('local')
      this.#withMedia((media) => media.closeProducer('camera'))
      return
    }
    try {
      const opened = await openCamera(this.#cameraDeviceId).catch(() => openCamera(null))
      if (this.#ended || this.local.camera) return opened.stop()
      this.local.camera = opened
      this.#watchEnded(opened, 'camera')
      this.emit('local')
      this.#withMedia((media) => media.produce('camera', opened))
    } catch {
      this.emit('notice', 'cameraUnavailable')
    }
  }

  /** toggleScreen starts sharing (the browser asks what to share) or stops it. */
  async toggleScreen(): Promise<void> {
    if (this.#ended) return
    if (this.local.screen) return this.#stopScreen()
    let track: MediaStreamTrack
    try {
      track = await openScreen()
    } catch (error) {
      // Cancelling the browser's picker is a choice, not a failure.
      if (!(error instanceof DOMException && error.name === 'NotAllowedError')) this.emit('notice', 'screenFailed')
      return
    }
    if (this.#ended) return track.stop()
    this.local.screen = track
    // The browser's own "Stop sharing" button ends the track.
    track.addEventListener('ended', () => this.#stopScreen())
    this.emit('local')
    this.#withMedia((media) => media.produce('screen', track))
  }

  /** sendChat posts a message; rejects when it could not be sent (the view keeps the text). */
  async sendChat(text: string): Promise<void> {
    const signaling = this.#signaling
    if (!signaling || signaling !== this.#joinedOn) throw new SignalingError('closed', 'not connected')
    const message = await signaling.request('chat', { text })
    if (this.#roster.addChat(message)) this.emit('chat', message)
  }

  /** isOwnMessage tells whether this user wrote a chat message (in this or an earlier connection). */
  isOwnMessage(message: ChatMessage): boolean {
    return this.#roster.isOwnMessage(message)
  }

  /** capture starts or stops recording or streaming; rejects with the server's refusal (SignalingError). */
  async capture<M extends CaptureMethod>(method: M, data: MethodData<M>): Promise<MethodResults[M]> {
    const signaling = this.#signaling
    if (!signaling || signaling !== this.#joinedOn) throw new SignalingError('closed', 'not connected')
    return signaling.request(method, data)
  }

  /** moderate calls a host method; rejects with the server's refusal (SignalingError). */
  async moderate<M extends HostMethod>(method: M, data: MethodData<M>): Promise<MethodResults[M]> {
    const signaling = this.#signaling
    if (!signaling || signaling !== this.#joinedOn) throw new SignalingError('closed', 'not connected')
    return signaling.request(method, data)
  }

  #setCapture(recording: RecordingState | null, streaming: StreamingState | null): void {
    if (recording) this.recording = recording
    if (streaming) this.streaming = streaming
    this.emit('capture')
  }

  /** #loadCapture asks what is recorded now; a server without recording simply leaves it unknown. */
  async #loadCapture(signaling: SignalingClient): Promise<void> {
    try {
      const state = await signaling.request('captureState', {})
      if (signaling === this.#signaling) this.#setCapture(state.recording, state.streaming)
    } catch {
      // Not offered or the connection dropped: the indicator stays as it was.
    }
  }

  /** preferLayer asks for a simulcast layer for a remote camera (smaller tiles need less). */
  preferLayer(consumerId: string, spatialLayer: 0 | 1 | 2): void {
    if (this.#requestedLayers.get(consumerId) === spatialLayer) return
    this.#requestedLayers.set(consumerId, spatialLayer)
    this.#media?.preferLayer(consumerId, spatialLayer)
  }

  /** #mutedByHost reflects a host's mute or camera-off here; the user may turn either on again. */
  #mutedByHost(source: 'mic' | 'camera'): void {
    if (source === 'mic') {
      if (this.local.mic) this.local.mic.enabled = false
      this.local.micMuted = true
      this.emit('local')
      this.emit('notice', 'mutedByHost')
      this.#withMedia((media) => media.setPaused('mic', true))
      return
    }
    const track = this.local.camera
    this.local.camera = null
    track?.stop()
    this.#media?.forgetProducer('camera')
    this.emit('local')
    this.emit('notice', 'cameraOffByHost')
  }

  #setStatus(status: ConnectionStatus): void {
    if (this.status === status) return
    this.status = status
    this.emit('status', status)
  }

  #stopScreen(): void {
    const track = this.local.screen
    if (!track) return
    this.local.screen = null
    track.stop()
    this.emit('local')
    this.#withMedia((media) => media.closeProducer('screen'))
  }

  #watchEnded(track: MediaStreamTrack | null, source: 'mic' | 'camera'): void {
    // A device unplugged or taken by the OS ends the track; show it as off rather than frozen.
    track?.addEventListener('ended', () => {
      if (this.local[source] !== track) return
      this.local[source] = null
      this.emit('local')
      this.emit('notice', source === 'mic' ? 'micUnavailable' : 'cameraUnavailable')
      this.#withMedia((media) => media.closeProducer(source))
    })
  }

  /** #withMedia queues work on the current media session; skipped while there is none (rejoin resends). */
  #withMedia(work: (media: MediaSession) => Promise<void>): void {
    this.#enqueue(async () => {
      const media = this.#media
      if (!media) return
      try {
        await work(media)
      } catch (error) {
        if (!isConnectionLoss(error) && media === this.#media) this.emit('notice', 'mediaFailed')
      }
    })
  }

  #enqueue(work: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(work, work)
    this.#queue = run.catch(() => {})
    return run
  }

  async #connectLoop(): Promise<void> {
    if (this.#connecting) return
    this.#connecting = true
    let attempt = 0
    try {
      while (!this.#ended) {
        try {
          await this.#connectOnce()
          if (this.#ended) return
          if (attempt > 0) this.emit('notice', 'reconnected')
          this.#setStatus('connected')
          return
        } catch (error) {
          this.#dropConnection()
          if (this.#ended) return
          const fatal = fatalReason(error, this.status === 'connecting')
          if (fatal) return this.#finish(fatal, error instanceof SignalingError ? error.limit : undefined)
          const probe = await probeRoom(this.roomId)
          if (this.#ended) return
          if (probe === 'gone') return this.#finish(this.status === 'connecting' ? 'notFound' : 'deleted')
          attempt += 1
          this.#setStatus(probe === 'unreachable' ? 'unreachable' : 'reconnecting')
          await this.#sleep(backoffMs(attempt))
        }
      }
    } finally {
      this.#connecting = false
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        resolve()
      }
      this.#wakeRetry = () => {
        this.#wakeRetry = null
        done()
      }
    })
  }

  async #connectOnce(): Promise<void> {
    const signaling = await SignalingClient.connect(signalingUrl(this.roomId))
    if (this.#ended) return signaling.close()
    this.#signaling = signaling
    signaling.onNotification = (message) => this.#onNotification(signaling, message)
    signaling.onUnexpectedClose = () => this.#onDisconnected(signaling)

    const joined = await signaling.request('join', {
      ...(this.#guestName ? { displayName: this.#guestName } : {}),
      ...(this.#pin ? { pin: this.#pin } : {}),
    })
    if ('waiting' in joined) {
      // The lobby: nothing more until a host admits us (`admitted`), then join again on this socket.
      this.waiting = true
      this.emit('moderation')
      return
    }
    await this.#entered(signaling, joined)
  }

  /** #enterFromLobby completes the join after a host admitted this user. */
  async #enterFromLobby(signaling: SignalingClient): Promise<void> {
    try {
      const joined = await signaling.request('join', {})
      if ('waiting' in joined || signaling !== this.#signaling) return
      await this.#entered(signaling, joined)
    } catch (error) {
      if (signaling !== this.#signaling || this.#ended) return
      const fatal = fatalReason(error, false)
      if (fatal) return this.#finish(fatal, error instanceof SignalingError ? error.limit : undefined)
      this.#onDisconnected(signaling)
    }
  }

  async #entered(signaling: SignalingClient, joined: JoinedResult): Promise<void> {
    this.waiting = false
    this.hosts = new Set(joined.hosts)
    this.locked = joined.locked
    this.lobby = joined.lobby
    this.emit('moderation')
    this.self = joined.self
    this.#joinedOn = signaling
    // A join is a new stay in the history: its totals start again.
    this.#tally.reset()
    this.#tallyReportedAt = performance.now()
    this.#roster.replace(joined.self, joined.peers, joined.activeSpeakerId)
    if (this.#roster.mergeChat(joined.chat)) this.emit('chatReset')
    this.emit('participants')
    this.emit('speaker', this.activeSpeakerId)
    void this.#loadCapture(signaling)

    await this.#enqueue(() => this.#setUpMedia(signaling, joined.routerRtpCapabilities))
  }

  /** #setUpMedia (re)creates the media session and sends the local tracks; connection losses rethrow. */
  async #setUpMedia(signaling: SignalingClient, routerRtpCapabilities: unknown): Promise<void> {
    this.#media?.close()
    this.#media = null
    this.#requestedLayers.clear()
    try {
      const media = await MediaSession.create(signaling, routerRtpCapabilities)
      if (signaling !== this.#signaling) return media.close()
      this.#media = media
      this.#resetQuality()
      media.onQuality = (report) => {
        if (media !== this.#media) return
        if (this.quality.update(report, this.participants)) this.emit('quality')
        const now = performance.now()
        this.#tally.note(stayLevel(this.quality), now)
        if (now - this.#tallyReportedAt >= REPORT_EVERY_MS) this.#reportQuality(signaling)
      }
      await media.ready()
      const { mic, micMuted, camera, screen } = this.local
      if (mic && mic.readyState === 'live' && media.canProduce('audio')) await media.produce('mic', mic, micMuted)
      if (camera && camera.readyState === 'live' && media.canProduce('video')) await media.produce('camera', camera)
      if (screen && screen.readyState === 'live' && media.canProduce('video')) await media.produce('screen', screen)
    } catch (error) {
      if (isConnectionLoss(error)) throw error
      // Chat and the participant list still work without media; say so rather than drop the user.
      this.emit('notice', 'mediaFailed')
    }
  }

  #onDisconnected(signaling: SignalingClient): void {
    if (signaling !== this.#signaling || this.#ended) return
    this.#dropConnection()
    this.#setStatus('reconnecting')
    void this.#connectLoop()
  }

  /** #dropConnection forgets the socket and the media session; remote media is gone with them. */
  #dropConnection(): void {
    const signaling = this.#signaling
    this.#signaling = null
    signaling?.close()
    this.#media?.close()
    this.#media = null
    this.#resetQuality()
    if (this.#roster.clearMedia()) this.emit('participants')
    if (this.#roster.setSpeaker(null)) this.emit('speaker', null)
  }

  /** #reportQuality sends this stay's running totals, when they changed; best effort. */
  #reportQuality(signaling: SignalingClient): void {
    const totals = this.#tally.unsent()
    this.#tallyReportedAt = performance.now()
    if (!totals) return
    signaling.request('reportQuality', totals).then(
      () => this.#tally.sent(totals),
      () => {},
    )
  }

  #resetQuality(): void {
    this.#tally.pause()
    const shown = this.quality.notice !== null || this.quality.levels.size > 0 || this.quality.self !== 'good'
    this.quality.reset()
    if (shown) this.emit('quality')
  }

  #finish(reason: EndReason, limit?: number): void {
    this.#ended = true
    this.#wakeRetry?.()
    this.#dropConnection()
    for (const track of [this.local.mic, this.local.camera, this.local.screen]) track?.stop()
    this.local.mic = this.local.camera = this.local.screen = null
    this.emit('ended', reason, limit)
  }

  #onNotification(signaling: SignalingClient, message: NotificationMessage): void {
    if (signaling !== this.#signaling || this.#ended) return
    const roster = this.#roster
    switch (message.notification) {
      case 'peerJoined':
        if (roster.addPeer(message.data)) this.emit('participants')
        return
      case 'peerLeft': {
        const wasSpeaking = roster.activeSpeakerId === message.data.peerId
        if (roster.removePeer(message.data.peerId)) this.emit('participants')
        if (wasSpeaking) this.emit('speaker', null)
        return
      }
      case 'newConsumer': {
        const announced = message.data
        void this.#enqueue(async () => {
          const media = this.#media
          if (!media) return
          let track: MediaStreamTrack
          try {
            track = await media.consume(announced)
          } catch {
            // A consumer that cannot be received is skipped; the rest of the meeting goes on.
            return
          }
          const { consumerId, kind, source, producerPaused } = announced
          const attached = media === this.#media && roster.addMedia(announced.peerId, { consumerId, kind, source, track, paused: producerPaused })
          if (attached) this.emit('participants')
          else media.closeConsumer(consumerId)
        })
        return
      }
      case 'consumerClosed': {
        const { consumerId } = message.data
        // Queued behind a pending consume of the same consumer, so it cannot be resurrected.
        void this.#enqueue(async () => {
          this.#media?.closeConsumer(consumerId)
          this.#requestedLayers.delete(consumerId)
          if (roster.removeMedia(consumerId)) this.emit('participants')
        })
        return
      }
      case 'consumerPaused':
      case 'consumerResumed': {
        const paused = message.notification === 'consumerPaused'
        const { consumerId } = message.data
        void this.#enqueue(async () => {
          if (roster.setPaused(consumerId, paused)) this.emit('participants')
        })
        return
      }
      case 'videoLimit': {
        const { consumerId, limit } = message.data
        void this.#enqueue(async () => {
          if (roster.setLimit(consumerId, limit)) this.emit('participants')
        })
        return
      }
      case 'activeSpeaker':
        if (roster.setSpeaker(message.data.peerId)) this.emit('speaker', message.data.peerId)
        return
      case 'chatMessage':
        if (roster.addChat(message.data)) this.emit('chat', message.data)
        return
      case 'mediaReset': {
        const { routerRtpCapabilities } = message.data
        this.#setStatus('mediaRestarting')
        this.#media?.close()
        this.#media = null
        if (roster.clearMedia()) this.emit('participants')
        void this.#enqueue(async () => {
          try {
            await this.#setUpMedia(signaling, routerRtpCapabilities)
          } catch {
            // A lost connection during the reset: the reconnect loop already took over.
            return
          }
          if (signaling !== this.#signaling || this.#ended) return
          this.#setStatus('connected')
          this.emit('notice', 'mediaRestored')
        })
        return
      }
      case 'recordingState':
        this.#setCapture(message.data, null)
        return
      case 'streamingState':
        this.#setCapture(null, message.data)
        return
      case 'roomClosed': {
        const reason = message.data.reason
        this.#finish(reason === 'deleted' ? 'deleted' : reason === 'ended' ? 'endedByHost' : 'shutdown')
        return
      }
      case 'hostChanged':
        this.hosts = new Set(message.data.hosts)
        if (!this.isHost) this.lobby = []
        this.emit('moderation')
        // Whether this user may record changed with the role.
        void this.#loadCapture(signaling)
        return
      case 'lobbyChanged':
        this.lobby = message.data.queue
        this.emit('moderation')
        return
      case 'lockChanged':
        this.locked = message.data.locked
        this.emit('moderation')
        return
      case 'admitted':
        void this.#enterFromLobby(signaling)
        return
      case 'lobbyRejected':
        this.#finish('lobbyRejected')
        return
      case 'removed':
        this.#finish('removed')
        return
      case 'mutedByHost':
        this.#mutedByHost(message.data.source)
        return
    }
  }
}
