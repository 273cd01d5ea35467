// One participant's media state inside a room: transports, producers, consumers. The signaling
// connection gives it a `notify` function; the peer never knows about sockets.
import { randomUUID } from 'node:crypto'
import type { types } from 'mediasoup'
import type { MediaSource, Notifications, NotificationName, PeerInfo, PeerKind } from '../signaling/protocol.ts'
import { StayQuality } from './stay-quality.ts'

export type PeerId = string & { readonly __brand: 'PeerId' }

export type Notify = <N extends NotificationName>(name: N, data: Notifications[N]) => void

/** Where a participant connects from, as its signaling request showed it; kept for the meeting history. */
export interface PeerClient {
  userAgent: string | undefined
  /** The client's address (behind a trusted proxy, the forwarded one). */
  address: string
  /** A trusted proxy forwarded the connection (and named the client in X-Forwarded-For). */
  viaProxy: boolean
  /** X-Forwarded-For as the trusted proxy sent it; undefined when not via a trusted proxy. */
  forwardedFor: string | undefined
}

export interface PeerOptions {
  displayName: string
  kind: PeerKind
  /** The employee's account id; undefined for guests. */
  userId: string | undefined
  notify: Notify
  /** Meeting history: the connection's client details; absent for peers made without a request. */
  client?: PeerClient | undefined
}

export class Peer {
  readonly id: PeerId = randomUUID() as PeerId
  readonly displayName: string
  readonly kind: PeerKind
  readonly userId: string | undefined
  readonly notify: Notify
  readonly client: PeerClient | undefined
  readonly joinedAt = Date.now()
  /** The stay's connection quality for the meeting history: the browser's reports and the server's limits. */
  readonly quality = new StayQuality(this.joinedAt)
  /** WebRTC transports, or plain RTP ones (appData.plain) when the server allows them. */
  readonly transports = new Map<string, types.Transport>()
  readonly producers = new Map<string, types.Producer>()
  readonly consumers = new Map<string, types.Consumer>()
  /** Set by `ready`: until then nothing is sent to this peer. */
  rtpCapabilities: types.RtpCapabilities | undefined
  recvTransportId: string | undefined

  constructor(options: PeerOptions) {
    this.displayName = options.displayName
    this.kind = options.kind
    this.userId = options.userId
    this.notify = options.notify
    this.client = options.client
  }

  info(): PeerInfo {
    return { id: this.id, displayName: this.displayName, kind: this.kind }
  }

  get recvTransport(): types.Transport | undefined {
    return this.recvTransportId === undefined ? undefined : this.transports.get(this.recvTransportId)
  }

  sourceOf(producer: types.Producer): MediaSource {
    return (producer.appData as { source: MediaSource }).source
  }

  /** closeMedia closes every transport (and with them producers and consumers) and forgets them. */
  closeMedia(): void {
    for (const t of this.transports.values()) t.close()
    this.transports.clear()
    this.producers.clear()
    this.consumers.clear()
    this.rtpCapabilities = undefined
    this.recvTransportId = undefined
  }
}
