// The signaling wire protocol: every message a client may send, validated by a schema, and every
// notification the server sends. The browser client imports these types (types only, never values).
import { Type, type Static, type TSchema } from '@sinclair/typebox'

/** A client request: `{ id, method, data }`. The server answers every request exactly once. */
export const RequestEnvelope = Type.Object(
  {
    id: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    method: Type.String({ minLength: 1, maxLength: 64 }),
    data: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
)
export type RequestEnvelope = Static<typeof RequestEnvelope>

/** The server's answer to request `id`. */
export type Response =
  | { id: number; ok: true; data: unknown }
  | { id: number | null; ok: false; error: SignalingErrorBody }

export interface SignalingErrorBody {
  code: SignalingErrorCode
  message: string
  /** For room_full and room_limit: the license's limit, so the client can name it in any language. */
  limit?: number
}

export type SignalingErrorCode =
  | 'bad_json'
  | 'bad_request'
  // Nested too deep, too many values, or too long a string (json-bounds.ts): refused before parsing further.
  | 'too_complex'
  | 'unknown_method'
  | 'not_joined'
  | 'already_joined'
  | 'room_not_found'
  | 'room_full'
  | 'room_limit'
  | 'license_required'
  | 'not_found'
  | 'media_error'
  | 'plain_transports_disabled'
  // Recording and streaming refusals: not a host, not licensed, all recorders busy, disk low, already on.
  | 'forbidden'
  | 'feature_unlicensed'
  | 'busy'
  | 'disk_low'
  | 'conflict'
  // Moderation refusals: the room wants a PIN from guests, the PIN was wrong, a host locked the room.
  // (A non-host calling a host method gets 'forbidden'.)
  | 'pin_required'
  | 'wrong_pin'
  | 'pin_locked'
  | 'room_locked'
  | 'internal'

const Id = Type.String({ minLength: 1, maxLength: 64 })
// RTP and DTLS parameters are mediasoup's own structures; mediasoup validates their insides.
const MediasoupObject = Type.Object({}, { additionalProperties: true })
/** Milliseconds of a stay: a week is far beyond any meeting. */
const QualityMs = Type.Integer({ minimum: 0, maximum: 7 * 24 * 3600 * 1000 })

export const methods = {
  join: Type.Object(
    {
      // Guests must give a name; a signed-in employee's name comes from the account.
      displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      // The room's PIN, when it has one: guests only (employees are known by their account).
      pin: Type.Optional(Type.String({ maxLength: 32 })),
    },
    { additionalProperties: false },
  ),
  createTransport: Type.Object(
    { direction: Type.Union([Type.Literal('send'), Type.Literal('recv')]) },
    { additionalProperties: false },
  ),
  connectTransport: Type.Object(
    { transportId: Id, dtlsParameters: MediasoupObject },
    { additionalProperties: false },
  ),
  restartIce: Type.Object({ transportId: Id }, { additionalProperties: false }),
  // Plain RTP (no ICE/DTLS), for load generators and gateways; refused unless media.plainTransports.
  createPlainTransport: Type.Object(
    {
      direction: Type.Union([Type.Literal('send'), Type.Literal('recv')]),
      srtp: Type.Optional(Type.Boolean()),
      comedia: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  connectPlainTransport: Type.Object(
    {
      transportId: Id,
      ip: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
      rtcpPort: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
      srtpParameters: Type.Optional(MediasoupObject),
    },
    { additionalProperties: false },
  ),
  ready: Type.Object({ rtpCapabilities: MediasoupObject }, { additionalProperties: false }),
  produce: Type.Object(
    {
      transportId: Id,
      kind: Type.Union([Type.Literal('audio'), Type.Literal('video')]),
      rtpParameters: MediasoupObject,
      source: Type.Union([Type.Literal('mic'), Type.Literal('camera'), Type.Literal('screen')]),
    },
    { additionalProperties: false },
  ),
  closeProducer: Type.Object({ producerId: Id }, { additionalProperties: false }),
  pauseProducer: Type.Object({ producerId: Id }, { additionalProperties: false }),
  resumeProducer: Type.Object({ producerId: Id }, { additionalProperties: false }),
  resumeConsumer: Type.Object({ consumerId: Id }, { additionalProperties: false }),
  setConsumerLayers: Type.Object(
    { consumerId: Id, spatialLayer: Type.Integer({ minimum: 0, maximum: 2 }) },
    { additionalProperties: false },
  ),
  // A receiver whose picture froze while packets still arrive asks for a key frame at once, instead
  // of waiting for the browser's own ~3 s timeout.
  requestKeyFrame: Type.Object({ consumerId: Id }, { additionalProperties: false }),
  // The browser's rating of its own connection, summed since join (ms at each level), for the meeting
  // history: every 15 s or so and when leaving; the server keeps the last and refuses nonsense.
  reportQuality: Type.Object(
    { goodMs: QualityMs, fairMs: QualityMs, poorMs: QualityMs },
    { additionalProperties: false },
  ),
  chat: Type.Object({ text: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
  leave: Type.Object({}, { additionalProperties: false }),
  captureState: Type.Object({}, { additionalProperties: false }),
  startRecording: Type.Object({}, { additionalProperties: false }),
  stopRecording: Type.Object({}, { additionalProperties: false }),
  // Without url the admin's preset (streaming.url) is used; the key is appended as the last path segment.
  startStreaming: Type.Object(
    {
      url: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, pattern: '^rtmps?://' })),
      key: Type.Optional(Type.String({ maxLength: 512 })),
    },
    { additionalProperties: false },
  ),
  stopStreaming: Type.Object({}, { additionalProperties: false }),
  // Host methods: anyone else gets 'forbidden'. peerId is a participant's, or for admit/reject a waiter's.
  admit: Type.Object({ peerId: Id }, { additionalProperties: false }),
  reject: Type.Object({ peerId: Id }, { additionalProperties: false }),
  mutePeer: Type.Object({ peerId: Id }, { additionalProperties: false }),
  muteAll: Type.Object({}, { additionalProperties: false }),
  cameraOff: Type.Object({ peerId: Id }, { additionalProperties: false }),
  removeParticipant: Type.Object({ peerId: Id }, { additionalProperties: false }),
  makeHost: Type.Object({ peerId: Id }, { additionalProperties: false }),
  setLocked: Type.Object({ locked: Type.Boolean() }, { additionalProperties: false }),
  endMeeting: Type.Object({}, { additionalProperties: false }),
} satisfies Record<string, TSchema>

export type MethodName = keyof typeof methods
export type MethodData<M extends MethodName> = Static<(typeof methods)[M]>

export type MediaSource = 'mic' | 'camera' | 'screen'
export type PeerKind = 'internal' | 'guest'

export interface PeerInfo {
  id: string
  displayName: string
  kind: PeerKind
}

export interface ChatMessage {
  id: number
  peerId: string
  displayName: string
  text: string
  /** Unix milliseconds. */
  at: number
}

/** Someone in a room's lobby, as hosts see the queue. */
export interface LobbyEntryInfo {
  id: string
  displayName: string
  kind: PeerKind
  /** Unix milliseconds when they started waiting. */
  since: number
}

export interface JoinedResult {
  peerId: string
  self: PeerInfo
  peers: PeerInfo[]
  chat: ChatMessage[]
  routerRtpCapabilities: unknown
  activeSpeakerId: string | null
  /** Peer ids of the meeting's hosts (may include self). */
  hosts: string[]
  locked: boolean
  /** The lobby queue when self is a host; empty otherwise. */
  lobby: LobbyEntryInfo[]
}

/**
 * The lobby flow: `join` of someone who must wait answers `{ waiting: true, peerId }` (no media, no
 * chat; the hosts get `lobbyChanged`). A host's `admit` sends the waiter `admitted`; the waiter then
 * sends `join` again on the same connection, which answers a JoinedResult (the license's participant
 * limit is checked then). A host's `reject` sends `lobbyRejected` and closes the connection.
 */
export interface WaitingResult {
  waiting: true
  /** The waiter's lobby id (what hosts admit or reject); the meeting gives a new peer id on entry. */
  peerId: string
}

/** What each method answers with. */
export interface MethodResults {
  join: JoinedResult | WaitingResult
  createTransport: { id: string; iceParameters: unknown; iceCandidates: unknown[]; dtlsParameters: unknown }
  connectTransport: Record<string, never>
  restartIce: { iceParameters: unknown }
  createPlainTransport: { id: string; ip: string; port: number; srtpParameters?: unknown }
  /** srtpParameters: the server's key as it stands after connecting (new when the client picked another suite). */
  connectPlainTransport: { srtpParameters?: unknown }
  ready: Record<string, never>
  produce: { producerId: string }
  closeProducer: Record<string, never>
  pauseProducer: Record<string, never>
  resumeProducer: Record<string, never>
  resumeConsumer: Record<string, never>
  setConsumerLayers: Record<string, never>
  requestKeyFrame: Record<string, never>
  reportQuality: Record<string, never>
  chat: ChatMessage
  leave: Record<string, never>
  captureState: { recording: RecordingState; streaming: StreamingState }
  startRecording: RecordingState
  stopRecording: RecordingState
  startStreaming: StreamingState
  stopStreaming: StreamingState
  admit: Record<string, never>
  reject: Record<string, never>
  mutePeer: Record<string, never>
  /** How many participants were muted. */
  muteAll: { muted: number }
  cameraOff: Record<string, never>
  removeParticipant: Record<string, never>
  makeHost: Record<string, never>
  setLocked: { locked: boolean }
  endMeeting: Record<string, never>
}

/** How the server limited a video consumer to fit the receiver's downlink (see `videoLimit`). */
export type VideoLimit = 'none' | 'lowered' | 'audioOnly'

/** Server -> client notifications: `{ notification, data }`. */
export interface Notifications {
  peerJoined: PeerInfo
  peerLeft: { peerId: string }
  /** Create this consumer locally, then call `resumeConsumer`: it starts paused. */
  newConsumer: {
    peerId: string
    producerId: string
    consumerId: string
    kind: 'audio' | 'video'
    source: MediaSource
    rtpParameters: unknown
    producerPaused: boolean
  }
  consumerClosed: { consumerId: string }
  consumerPaused: { consumerId: string }
  consumerResumed: { consumerId: string }
  /**
   * The server changed what this video consumer carries to fit the receiver's downlink: `lowered` (a
   * smaller picture or fewer frames than the tile asked for), `audioOnly` (not even the smallest
   * picture fits; video comes back by itself when it does), `none` (as asked again).
   */
  videoLimit: { consumerId: string; limit: VideoLimit }
  activeSpeaker: { peerId: string | null }
  chatMessage: ChatMessage
  /**
   * The media server behind this room was restarted: all transports, producers and consumers of this
   * peer are gone. The signaling connection and the room stay; the client sets its media up again
   * (createTransport, ready, produce) with the new router capabilities.
   */
  mediaReset: { routerRtpCapabilities: unknown; reason: string }
  /** The room was deleted, a host ended the meeting, or the server is shutting down; the connection closes after this. */
  roomClosed: { reason: 'deleted' | 'shutdown' | 'ended' }
  /** The meeting's hosts changed (joined, promoted, succession when the last host left). */
  hostChanged: { hosts: string[] }
  /** To hosts: the lobby queue on every change. */
  lobbyChanged: { queue: LobbyEntryInfo[] }
  /** To a waiter: a host admitted you; send `join` again to enter. */
  admitted: Record<string, never>
  /** To a waiter: a host declined; the connection closes after this. */
  lobbyRejected: Record<string, never>
  /** To a participant: a host removed you; the connection closes after this. */
  removed: Record<string, never>
  /**
   * To a participant: a host muted your microphone (its producer is paused) or turned your camera off
   * (its producer is closed). You may unmute or turn the camera on again yourself.
   */
  mutedByHost: { source: 'mic' | 'camera' }
  /** A host locked or unlocked the meeting: while locked, only its hosts may join. */
  lockChanged: { locked: boolean }
  /** The meeting's recording state on every change (each peer its own `allowed`); captureState asks. */
  recordingState: RecordingState
  /** The meeting's live stream state on every change. */
  streamingState: StreamingState
}
export type NotificationName = keyof Notifications

/** Why a recording or stream ended by itself, or a stream's current trouble: a stable code and words. */
export interface CaptureProblem {
  code: string
  message: string
}

export interface RecordingState {
  /** This participant may start and stop recording (a host, and the license includes recording). */
  allowed: boolean
  active: boolean
  /** Unix milliseconds; null when off. */
  startedAt: number | null
  startedBy: string | null
  /** Why the last recording ended by itself (disk low, recorder failed, media lost); null otherwise. */
  problem: CaptureProblem | null
}

export interface StreamingState {
  /** This participant may start and stop streaming (a host, and the license includes streaming). */
  allowed: boolean
  /** The admin preset a streaming server: the host may start without entering one. */
  preset: boolean
  status: 'off' | 'connecting' | 'live' | 'reconnecting'
  startedBy: string | null
  /** Reconnect attempts so far, of maxAttempts. */
  attempt: number
  maxAttempts: number
  /** The current trouble (reconnecting) or why the stream stopped by itself (off). */
  problem: CaptureProblem | null
}
