// The mediasoup side of a recording or stream: one plain RTP transport on the room's router, sending
// to the relay on loopback, with a consumer for every producer in the room as people come and go.
// Consumers start paused and are resumed once ffmpeg listens; the tap reports when its router is
// gone (the media worker died) so the job can end cleanly instead of recording nothing.
import { EventEmitter } from 'node:events'
import type { types } from 'mediasoup'
import { SfuError } from '../sfu/errors.ts'
import type { SfuLogger } from '../sfu/logger.ts'
import type { Peer } from '../sfu/peer.ts'
import type { Room } from '../sfu/room.ts'
import type { RtpRelay } from './rtp-relay.ts'

export type TapLoss = 'meeting_ended' | 'media_lost'

export interface RoomTapEvents {
  /** The router (and every consumer) is gone: the meeting ended, or its media worker died. */
  lost: [reason: TapLoss]
}

export class RoomTap extends EventEmitter<RoomTapEvents> {
  readonly #room: Room
  readonly #relay: RtpRelay
  readonly #log: SfuLogger
  readonly #transport: types.PlainTransport
  readonly #router: types.Router
  readonly #consumers = new Map<string, types.Consumer>()
  readonly #unsubscribe: (() => void)[] = []
  #flowing = false
  #closed = false
  #lost: TapLoss | undefined

  private constructor(room: Room, relay: RtpRelay, router: types.Router, transport: types.PlainTransport, log: SfuLogger) {
    super()
    this.#room = room
    this.#relay = relay
    this.#router = router
    this.#transport = transport
    this.#log = log
  }

  /** RoomTap.open connects a plain transport to the relay and consumes what the room sends now and later. */
  static async open(room: Room, relay: RtpRelay, log: SfuLogger): Promise<RoomTap> {
    const router = room.tapRouter
    if (!router) throw new SfuError('media_error', 'the media server is restarting; try again in a moment')
    // comedia off: mediasoup sends to the relay's port at once, no first packet needed from us.
    const transport = await router.createPlainTransport({ listenIp: { ip: '127.0.0.1' }, rtcpMux: true, comedia: false })
    await transport.connect({ ip: '127.0.0.1', port: relay.port })
    const tap = new RoomTap(room, relay, router, transport, log)
    tap.#listen()
    relay.setSpeaker(room.activeSpeakerId)
    for (const peer of room.peers.values()) {
      for (const producer of peer.producers.values()) await tap.#consume(peer, producer)
    }
    return tap
  }

  #listen(): void {
    const room = this.#room
    const onProducer = (peer: Peer, producer: types.Producer): void => void this.#consume(peer, producer)
    const onSpeaker = (peerId: string | null): void => this.#relay.setSpeaker(peerId)
    const onClose = (): void => this.#lose('meeting_ended')
    room.on('producer', onProducer)
    room.on('activeSpeaker', onSpeaker)
    room.on('close', onClose)
    this.#unsubscribe.push(
      () => room.off('producer', onProducer),
      () => room.off('activeSpeaker', onSpeaker),
      () => room.off('close', onClose),
    )
    // A closing room closes its routers first: tell that apart from a worker that died.
    this.#transport.on('routerclose', () => this.#lose(room.closed ? 'meeting_ended' : 'media_lost'))
  }

  /** Why the tap lost its media, if it did (it may happen before anyone listens). */
  get lost(): TapLoss | undefined {
    return this.#lost
  }

  #lose(reason: TapLoss): void {
    if (this.#closed) return
    this.#lost = reason
    this.close()
    this.emit('lost', reason)
  }

  /** start resumes every consumer (ffmpeg now listens) and asks each camera for a keyframe. */
  async start(): Promise<void> {
    this.#flowing = true
    for (const consumer of this.#consumers.values()) await this.#resume(consumer)
  }

  /** requestKeyFrames: a new ffmpeg (a stream reconnecting) needs a fresh picture from every camera. */
  requestKeyFrames(): void {
    for (const c of this.#consumers.values()) if (c.kind === 'video') void c.requestKeyFrame().catch(() => undefined)
  }

  async #resume(consumer: types.Consumer): Promise<void> {
    if (consumer.closed) return
    try {
      await consumer.resume()
      if (consumer.kind === 'video') await consumer.requestKeyFrame()
    } catch {
      // Closed meanwhile (the producer left): nothing to resume.
    }
  }

  async #consume(peer: Peer, producer: types.Producer): Promise<void> {
    if (this.#closed || producer.closed) return
    const router = this.#router
    // No header extensions: ffmpeg ignores them, and the relay rewrites fewer bytes.
    const rtpCapabilities: types.RtpCapabilities = { codecs: router.rtpCapabilities.codecs ?? [], headerExtensions: [] }
    let consumer: types.Consumer
    try {
      await this.#room.bringToTap(peer, producer)
      if (!router.canConsume({ producerId: producer.id, rtpCapabilities })) return
      consumer = await this.#transport.consume({ producerId: producer.id, rtpCapabilities, paused: true })
    } catch (err) {
      // The producer or the transport closed while we awaited.
      this.#log.debug({ room: this.#room.id, err: (err as Error).message }, 'recorder skipped a producer')
      return
    }
    if (this.#closed) return consumer.close()
    // Simulcast: the best layer the sender offers; a recording is watched full-screen.
    if (consumer.type === 'simulcast' || consumer.type === 'svc') {
      await consumer.setPreferredLayers({ spatialLayer: 2, temporalLayer: 2 }).catch(() => undefined)
    }
    const ssrc = consumer.rtpParameters.encodings?.[0]?.ssrc
    if (ssrc === undefined) return consumer.close()
    this.#consumers.set(consumer.id, consumer)
    this.#relay.addSource({
      id: consumer.id,
      ssrc,
      kind: consumer.kind,
      peerId: peer.id,
      source: peer.sourceOf(producer),
      paused: consumer.producerPaused,
      order: 0,
      requestKeyFrame: () => void consumer.requestKeyFrame().catch(() => undefined),
    })
    const gone = (): void => {
      this.#consumers.delete(consumer.id)
      this.#relay.removeSource(consumer.id)
    }
    consumer.on('producerclose', gone)
    consumer.on('transportclose', gone)
    consumer.on('producerpause', () => this.#relay.setPaused(consumer.id, true))
    consumer.on('producerresume', () => this.#relay.setPaused(consumer.id, false))
    if (this.#flowing) await this.#resume(consumer)
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    for (const off of this.#unsubscribe) off()
    this.#consumers.clear()
    this.#transport.close()
  }
}
