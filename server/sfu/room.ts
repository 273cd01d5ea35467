// A live meeting: its mediasoup router, its peers, its chat. Lives while someone is in it; the
// registry drops it on 'close'.
import { EventEmitter } from 'node:events'
import type { types } from 'mediasoup'
import type { ChatMessage, MediaSource, NotificationName, Notifications } from '../signaling/protocol.ts'
import { DownlinkFit, type LayerCosts } from './downlink-fit.ts'
import { SfuError } from './errors.ts'
import type { SfuLogger } from './logger.ts'
import { Moderation, type LobbyEntry } from './moderation.ts'
import type { Peer, PeerId } from './peer.ts'
import { RoomMedia } from './room-media.ts'
import type { MediaWorker } from './worker-pool.ts'

export interface RoomOptions {
  id: string
  title: string
  chatHistory: number
  maxIncomingBitrate: number
  /** Plain RTP transports (load generators, SIP gateways): off unless media.plainTransports is set. */
  plainTransports?: { listenIp: string; announcedIp: string } | undefined
  /** Peers one worker carries before the room spreads onto another worker; 0 or absent: never. */
  peersPerWorker?: number
  /** A live worker hosting none of `busy` (worker indexes); absent: the room stays on one worker. */
  spareWorker?: (busy: number[]) => MediaWorker | undefined
}

export interface RoomEvents {
  close: []
  // For observers inside the server (the recorder): what peers send, who speaks, chat.
  producer: [Peer, types.Producer]
  activeSpeaker: [string | null]
  chat: [ChatMessage]
  // For the meeting history (server/history/): who entered and left. A room's close ends everyone's
  // stay without a peerLeft each.
  peerJoined: [Peer]
  peerLeft: [Peer]
}

type Media = RoomMedia

/** How often receivers' video is fitted to their downlink: a cap is met within about a second. */
const FIT_EVERY_MS = 500

export class Room extends EventEmitter<RoomEvents> {
  readonly id: string
  readonly title: string
  readonly peers = new Map<PeerId, Peer>()
  readonly chat: ChatMessage[] = []
  /** Hosts, lobby and lock of this meeting. */
  readonly moderation: Moderation = new Moderation(this)
  readonly #options: RoomOptions
  readonly #log: SfuLogger
  #media: Media | undefined
  #chatSeq = 0
  #activeSpeakerId: string | null = null
  #closed = false
  /** Each receiver's simulcast video fitted to its downlink, by peer. */
  readonly #fits = new Map<PeerId, DownlinkFit>()
  readonly #fitTimer: NodeJS.Timeout
  #fitting = false

  private constructor(options: RoomOptions, log: SfuLogger) {
    super()
    this.id = options.id
    this.title = options.title
    this.#options = options
    this.#log = log
    this.#fitTimer = setInterval(() => void this.#fitAll(), FIT_EVERY_MS)
    this.#fitTimer.unref()
  }

  /** #fitAll fits every receiver's video to its receive transport's bandwidth estimate. */
  async #fitAll(): Promise<void> {
    if (this.#fitting) return
    this.#fitting = true
    try {
      const costs: LayerCosts = new Map()
      for (const [id, fit] of this.#fits) {
        const peer = this.peers.get(id)
        const transport = peer?.recvTransport
        if (!peer || !transport || fit.size === 0 || transport.closed) continue
        const stats = await transport.getStats().catch(() => [])
        const link = stats[0] as { availableOutgoingBitrate?: number; sendBitrate?: number; rtpPacketLossSent?: number } | undefined
        const available = link?.availableOutgoingBitrate
        // A receiver without congestion feedback has no estimate: nothing to fit to.
        if (!available) continue
        let audio = 0
        for (const c of peer.consumers.values()) if (c.kind === 'audio' && !c.paused && !c.producerPaused) audio++
        await fit.tick(available, audio, costs, { sendBitrate: link.sendBitrate ?? 0, loss: link.rtpPacketLossSent ?? 0 })
      }
    } catch (err) {
      this.#log.debug({ room: this.id, err: (err as Error).message }, 'downlink fit skipped')
    } finally {
      this.#fitting = false
    }
  }

  /** setConsumerLayer asks for `spatialLayer` of a simulcast consumer (the tile's size), within what the downlink carries. */
  async setConsumerLayer(peer: Peer, consumer: types.Consumer, spatialLayer: number): Promise<void> {
    const fit = this.#fits.get(peer.id)
    if (fit) await fit.request(consumer, spatialLayer)
    else await consumer.setPreferredLayers({ spatialLayer })
  }

  /** Room.create makes the room's router on `worker`. */
  static async create(options: RoomOptions, worker: MediaWorker, log: SfuLogger): Promise<Room> {
    const room = new Room(options, log)
    room.#attach(await room.#createMedia(worker))
    log.info({ room: room.id, worker: worker.index }, 'room opened')
    return room
  }

  #createMedia(worker: MediaWorker): Promise<Media> {
    return RoomMedia.create(
      worker,
      {
        room: this.id,
        peersPerWorker: this.#options.peersPerWorker ?? 0,
        spareWorker: this.#options.spareWorker ?? (() => undefined),
        onSlotLost: (peers) => this.#onSlotLost(peers),
      },
      this.#log,
    )
  }

  /** #onSlotLost: a spill-over worker died; its peers set their media up again elsewhere. */
  #onSlotLost(peerIds: PeerId[]): void {
    const media = this.#media
    if (!media) return
    for (const id of peerIds) {
      const peer = this.peers.get(id)
      if (!peer) continue
      peer.closeMedia()
      peer.notify('mediaReset', { routerRtpCapabilities: media.primary.router.rtpCapabilities, reason: 'media worker died' })
    }
  }

  #attach(media: Media): void {
    this.#media = media
    media.speaker.on('dominantspeaker', ({ producer }) => {
      this.#activeSpeakerId = (producer.appData as { peerId: string }).peerId
      this.broadcast('activeSpeaker', { peerId: this.#activeSpeakerId })
      this.emit('activeSpeaker', this.#activeSpeakerId)
    })
  }

  get closed(): boolean {
    return this.#closed
  }

  /** workerIndex is the primary router's worker (the room is rebuilt if that one dies). */
  get workerIndex(): number | undefined {
    return this.#media?.primary.worker.index
  }

  get activeSpeakerId(): string | null {
    return this.#activeSpeakerId
  }

  #requireMedia(): Media {
    if (!this.#media) throw new SfuError('media_error', 'the media server is restarting; try again in a moment')
    return this.#media
  }

  /** tapRouter is where a recorder consumes the room (the primary router); undefined while media restarts. */
  get tapRouter(): types.Router | undefined {
    return this.#media?.primary.router
  }

  /** bringToTap makes `peer`'s `producer` consumable on tapRouter (piped over from a spill-over router). */
  async bringToTap(peer: Peer, producer: types.Producer): Promise<void> {
    const media = this.#requireMedia()
    const from = media.slotOf(peer.id)
    if (from) await media.ensureOn(producer, from, media.primary)
  }

  get routerRtpCapabilities(): types.RtpCapabilities {
    return this.#requireMedia().primary.router.rtpCapabilities
  }

  broadcast<N extends NotificationName>(name: N, data: Notifications[N], except?: PeerId): void {
    for (const peer of this.peers.values()) if (peer.id !== except) peer.notify(name, data)
  }

  /** addPeer admits `peer` and tells the others. */
  addPeer(peer: Peer): void {
    if (this.#closed) throw new SfuError('room_not_found', 'this meeting has ended')
    this.peers.set(peer.id, peer)
    this.broadcast('peerJoined', peer.info(), peer.id)
    this.moderation.joined(peer)
    this.emit('peerJoined', peer)
  }

  /** removePeer closes the peer's media and tells the others; the last one out closes the room. */
  removePeer(peerId: PeerId): void {
    const peer = this.peers.get(peerId)
    if (!peer) return
    this.peers.delete(peerId)
    this.#fits.delete(peerId)
    peer.closeMedia()
    this.#media?.release(peerId)
    this.broadcast('peerLeft', { peerId })
    this.moderation.left(peerId)
    this.emit('peerLeft', peer)
    // Waiters keep the room open: a host may still come and admit them.
    if (this.peers.size === 0 && this.moderation.lobby.size === 0) this.close()
  }

  /** enterLobby queues `entry` until a host admits or rejects it, and shows the hosts the queue. */
  enterLobby(entry: LobbyEntry): void {
    if (this.#closed) throw new SfuError('room_not_found', 'this meeting has ended')
    this.moderation.lobby.set(entry.id, entry)
    this.moderation.tellLobby()
  }

  /** leaveLobby takes `id` out of the queue (admitted, rejected or gone); an empty room then closes. */
  leaveLobby(id: string): void {
    if (!this.moderation.lobby.delete(id)) return
    this.moderation.tellLobby()
    if (this.peers.size === 0 && this.moderation.lobby.size === 0) this.close()
  }

  async createTransport(peer: Peer, direction: 'send' | 'recv'): Promise<types.WebRtcTransport> {
    const { router, worker } = await this.#requireMedia().homeOf(peer.id)
    const transport = await router.createWebRtcTransport({
      webRtcServer: worker.webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: 1_000_000,
      appData: { peerId: peer.id, direction },
    })
    if (direction === 'send') await transport.setMaxIncomingBitrate(this.#options.maxIncomingBitrate)
    this.#keep(peer, transport, direction)
    return transport
  }

  /**
   * createPlainTransport opens a plain RTP transport (RTCP muxed) for a load generator or gateway.
   * Throws plain_transports_disabled unless the server allows them. `comedia`: learn the remote
   * address from the first packet instead of connectPlainTransport.
   */
  async createPlainTransport(peer: Peer, direction: 'send' | 'recv', srtp: boolean, comedia: boolean): Promise<types.PlainTransport> {
    const plain = this.#options.plainTransports
    if (!plain) {
      throw new SfuError('plain_transports_disabled', 'plain RTP transports are off on this server: set media.plainTransports=true (trusted networks only)')
    }
    const { router } = await this.#requireMedia().homeOf(peer.id)
    const transport = await router.createPlainTransport({
      listenIp: { ip: plain.listenIp, announcedIp: plain.announcedIp },
      rtcpMux: true,
      comedia,
      enableSrtp: srtp,
      appData: { peerId: peer.id, direction, plain: true },
    })
    this.#keep(peer, transport, direction)
    return transport
  }

  #keep(peer: Peer, transport: types.Transport, direction: 'send' | 'recv'): void {
    peer.transports.set(transport.id, transport)
    if (direction === 'recv') peer.recvTransportId = transport.id
    transport.observer.on('close', () => peer.transports.delete(transport.id))
  }

  /** transportOf returns the peer's WebRTC transport `transportId`; throws not_found for any other. */
  transportOf(peer: Peer, transportId: string): types.WebRtcTransport {
    const t = peer.transports.get(transportId)
    if (!t || (t.appData as { plain?: boolean }).plain) throw new SfuError('not_found', `no transport ${transportId}`)
    return t as types.WebRtcTransport
  }

  /** plainTransportOf returns the peer's plain transport `transportId`; throws not_found for any other. */
  plainTransportOf(peer: Peer, transportId: string): types.PlainTransport {
    const t = peer.transports.get(transportId)
    if (!t || !(t.appData as { plain?: boolean }).plain) throw new SfuError('not_found', `no plain transport ${transportId}`)
    return t as types.PlainTransport
  }

  /** ready records what the peer can receive and starts consuming everyone else's producers. */
  async ready(peer: Peer, rtpCapabilities: types.RtpCapabilities): Promise<void> {
    if (!peer.recvTransport) throw new SfuError('bad_request', 'create a recv transport before ready')
    peer.rtpCapabilities = rtpCapabilities
    for (const other of this.peers.values()) {
      if (other === peer) continue
      for (const producer of other.producers.values()) await this.#consume(peer, other, producer)
    }
  }

  async produce(
    peer: Peer,
    transportId: string,
    kind: types.MediaKind,
    rtpParameters: types.RtpParameters,
    source: MediaSource,
  ): Promise<types.Producer> {
    const transport = peer.transports.get(transportId)
    if (!transport) throw new SfuError('not_found', `no transport ${transportId}`)
    if ((transport.appData as { direction: string }).direction !== 'send') {
      throw new SfuError('bad_request', 'produce needs a send transport')
    }
    if ((source === 'mic') !== (kind === 'audio')) throw new SfuError('bad_request', `source ${source} cannot be ${kind}`)
    for (const p of peer.producers.values()) {
      if (peer.sourceOf(p) === source) throw new SfuError('bad_request', `already producing ${source}`)
    }
    const producer = await transport.produce({ kind, rtpParameters, appData: { peerId: peer.id, source } })
    peer.producers.set(producer.id, producer)
    producer.observer.on('close', () => peer.producers.delete(producer.id))
    const home = this.#media?.slotOf(peer.id)
    if (kind === 'audio' && home) {
      await this.#media?.addSpeaker(producer, home).catch(() => undefined)
    }
    for (const other of this.peers.values()) {
      if (other !== peer) await this.#consume(other, peer, producer)
    }
    this.emit('producer', peer, producer)
    return producer
  }

  producerOf(peer: Peer, producerId: string): types.Producer {
    const p = peer.producers.get(producerId)
    if (!p) throw new SfuError('not_found', `no producer ${producerId}`)
    return p
  }

  consumerOf(peer: Peer, consumerId: string): types.Consumer {
    const c = peer.consumers.get(consumerId)
    if (!c) throw new SfuError('not_found', `no consumer ${consumerId}`)
    return c
  }

  /** #consume creates a paused consumer for `consumer` of `producer`; the client resumes it when ready. */
  async #consume(consumer: Peer, owner: Peer, producer: types.Producer): Promise<void> {
    const transport = consumer.recvTransport
    const caps = consumer.rtpCapabilities
    const media = this.#media
    const from = media?.slotOf(owner.id)
    const to = media?.slotOf(consumer.id)
    if (!transport || !caps || !media || !from || !to || producer.closed) return
    let c: types.Consumer
    try {
      // Peers homed on different workers: the producer is piped over once, then fanned out there.
      await media.ensureOn(producer, from, to)
      if (!to.router.canConsume({ producerId: producer.id, rtpCapabilities: caps })) {
        this.#log.warn({ room: this.id, peer: consumer.id, producer: producer.id }, 'peer cannot consume producer')
        return
      }
      // enableRtx: mediasoup retransmits on NACK for audio too (off by default for audio), so a
      // receiver on a lossy link gets lost Opus packets back while they are still worth playing.
      c = await transport.consume({ producerId: producer.id, rtpCapabilities: caps, paused: true, enableRtx: true })
    } catch (err) {
      // The producer or transport closed while we awaited: nothing to send.
      this.#log.debug({ room: this.id, err: (err as Error).message }, 'consume skipped')
      return
    }
    consumer.consumers.set(c.id, c)
    const gone = (): void => {
      if (!consumer.consumers.delete(c.id)) return
      consumer.notify('consumerClosed', { consumerId: c.id })
    }
    c.on('transportclose', () => consumer.consumers.delete(c.id))
    c.on('producerclose', gone)
    c.on('producerpause', () => consumer.notify('consumerPaused', { consumerId: c.id }))
    c.on('producerresume', () => consumer.notify('consumerResumed', { consumerId: c.id }))
    // Plain transports carry no congestion feedback: there is no estimate to fit them to.
    if (c.type === 'simulcast' && !(transport.appData as { plain?: boolean }).plain) {
      let fit = this.#fits.get(consumer.id)
      if (!fit) {
        fit = new DownlinkFit((consumerId, limit) => {
          consumer.quality.limit(consumerId, limit)
          consumer.notify('videoLimit', { consumerId, limit })
        })
        this.#fits.set(consumer.id, fit)
      }
      fit.add(c, producer)
      // A closed consumer limits nothing any more (the history counts the receiver's limited time).
      c.observer.once('close', () => consumer.quality.limit(c.id, 'none'))
    }
    consumer.notify('newConsumer', {
      peerId: owner.id,
      producerId: producer.id,
      consumerId: c.id,
      kind: c.kind,
      source: owner.sourceOf(producer),
      rtpParameters: c.rtpParameters,
      producerPaused: c.producerPaused,
    })
  }

  /** postChat stores a message in the meeting's history (bounded) and sends it to everyone. */
  postChat(peer: Peer, text: string): ChatMessage {
    const message: ChatMessage = {
      id: ++this.#chatSeq,
      peerId: peer.id,
      displayName: peer.displayName,
      text,
      at: Date.now(),
    }
    this.chat.push(message)
    if (this.chat.length > this.#options.chatHistory) this.chat.splice(0, this.chat.length - this.#options.chatHistory)
    this.broadcast('chatMessage', message)
    this.emit('chat', message)
    return message
  }

  /** detachMedia forgets the router of a dead worker; every peer's media is gone with it. */
  detachMedia(): void {
    // Spill-over routers on live workers go too: the room is rebuilt from its primary.
    this.#media?.close()
    this.#media = undefined
    for (const peer of this.peers.values()) peer.closeMedia()
  }

  /**
   * resetMedia moves the room onto `worker` (its previous worker died) and tells every peer to set
   * its media up again. Peers, chat and signaling connections stay.
   */
  async resetMedia(worker: MediaWorker, reason: string): Promise<void> {
    this.detachMedia()
    const media = await this.#createMedia(worker)
    if (this.#closed) {
      media.close()
      return
    }
    this.#attach(media)
    this.#activeSpeakerId = null
    this.#log.warn({ room: this.id, worker: worker.index, peers: this.peers.size }, 'room media reset')
    this.broadcast('mediaReset', { routerRtpCapabilities: media.primary.router.rtpCapabilities, reason })
  }

  /** close ends the meeting: peers are told why, media is freed, the registry forgets the room. */
  close(reason?: Notifications['roomClosed']['reason']): void {
    if (this.#closed) return
    this.#closed = true
    clearInterval(this.#fitTimer)
    this.#fits.clear()
    if (reason) this.broadcast('roomClosed', { reason })
    for (const waiter of this.moderation.lobby.values()) waiter.notify('roomClosed', { reason: reason ?? 'ended' })
    this.moderation.lobby.clear()
    for (const peer of this.peers.values()) peer.closeMedia()
    this.peers.clear()
    this.#media?.close()
    this.#media = undefined
    this.#log.info({ room: this.id }, 'room closed')
    this.emit('close')
  }
}
