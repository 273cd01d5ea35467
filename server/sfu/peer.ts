// One participant's media state inside a room: transports, producers, consumers. The signaling
// connection gives it a `notify` function; the peer never knows about sockets.
import { randomUUID } from 'node:crypto'
import type { types } from 'mediasoup'
import type { MediaSource, Notifications, NotificationName, PeerInfo, PeerKind } from '../signaling/protocol.ts'

export type PeerId = string & { readonly __brand: 'PeerId' }

export type Notify = <N extends NotificationName>(name: N, data: Notifications[N]) => void

export interface PeerOptions {
  displayName: string
  kind: PeerKind
  /** The employee's account id; undefined for guests. */
  userId: string | undefined
  notify: Notify
}

export class Peer {
  readonly id: PeerId = randomUUID() as PeerId
  readonly displayName: string
  readonly kind: PeerKind
  readonly userId: string | undefined
  readonly notify: Notify
  readonly joinedAt = Date.now()
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
