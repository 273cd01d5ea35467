// Owns one mediasoup-client Device with its send and receive transports, producers and consumers.
// A meeting creates a new MediaSession after every (re)join and every mediaReset; nothing outlives it.
import { Device } from 'mediasoup-client'
import type { Consumer, Producer, RtpCapabilities, RtpEncodingParameters, Transport, TransportOptions } from 'mediasoup-client/types'
import type { MediaSource, Notifications } from '../../../signaling/protocol.ts'
import { watchFreezes } from './freeze-watch.ts'
import { watchQuality, type QualityReport } from './quality-watch.ts'
import type { SignalingClient } from './signaling-client.ts'
import { watchUplink } from './uplink-probe.ts'

// Three simulcast layers: small tiles get the quarter-size layer, the speaker view the full one.
const cameraEncodings: RtpEncodingParameters[] = [
  { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 1_200_000 },
]
// Screen content is text-heavy: one sharp layer beats simulcast's blurry small ones.
const screenEncodings: RtpEncodingParameters[] = [{ maxBitrate: 2_500_000 }]

export class MediaSession {
  readonly #signaling: SignalingClient
  readonly #device: Device
  readonly #send: Transport
  readonly #recv: Transport
  readonly #producers = new Map<MediaSource, Producer>()
  readonly #consumers = new Map<string, Consumer>()
  readonly #stopFreezeWatch: () => void
  readonly #stopQualityWatch: () => void
  readonly #stopUplinkWatch: () => void
  /** Set by the meeting: every 2 s, how each consumer and the uplink fare. */
  onQuality: ((report: QualityReport) => void) | null = null
  #closed = false

  private constructor(signaling: SignalingClient, device: Device, send: Transport, recv: Transport) {
    this.#signaling = signaling
    this.#device = device
    this.#send = send
    this.#recv = recv
    this.#stopFreezeWatch = watchFreezes(recv, () => this.#consumers.values(), (consumerId) => {
      signaling.request('requestKeyFrame', { consumerId }).catch(() => {
        // Best effort: the browser asks by itself a little later.
      })
    })
    this.#stopQualityWatch = watchQuality(
      recv,
      send,
      () => this.#consumers.values(),
      () => this.#producers.values(),
      (report) => this.onQuality?.(report),
    )
    this.#stopUplinkWatch = watchUplink(() => this.#producers.get('camera'))
  }

  /**
   * MediaSession.create loads a Device for the router and opens both transports through signaling.
   * Throws (UnsupportedError, SignalingError) when the browser or the server cannot set media up.
   */
  static async create(signaling: SignalingClient, routerRtpCapabilities: unknown): Promise<MediaSession> {
    const device = await Device.factory()
    // The server sends mediasoup's own RtpCapabilities structure; mediasoup-client validates it in load().
    await device.load({ routerRtpCapabilities: routerRtpCapabilities as RtpCapabilities })
    const sendInfo = await signaling.request('createTransport', { direction: 'send' })
    const recvInfo = await signaling.request('createTransport', { direction: 'recv' })
    // Transport parameters are mediasoup structures passed through unchanged.
    const send = device.createSendTransport(sendInfo as TransportOptions)
    const recv = device.createRecvTransport(recvInfo as TransportOptions)
    const session = new MediaSession(signaling, device, send, recv)
    session.#wire(send)
    session.#wire(recv)
    send.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      signaling
        .request('produce', { transportId: send.id, kind, rtpParameters, source: appData.source as MediaSource })
        .then(({ producerId }) => callback({ id: producerId }), errback)
    })
    return session
  }

  /** ready tells the server this device's capabilities; consumers for the others' media follow. */
  async ready(): Promise<void> {
    await this.#signaling.request('ready', { rtpCapabilities: this.#device.recvRtpCapabilities })
  }

  /** canProduce tells whether this browser can send the kind of media at all. */
  canProduce(kind: 'audio' | 'video'): boolean {
    return this.#device.canProduce(kind)
  }

  /**
   * produce sends a track as `source`, replacing a producer of the same source. The track is not
   * stopped when the producer closes: the meeting owns local tracks and reuses them after a reset.
   */
  async produce(source: MediaSource, track: MediaStreamTrack, paused = false): Promise<void> {
    await this.closeProducer(source)
    const producer = await this.#send.produce({
      track,
      stopTracks: false,
      zeroRtpOnPause: true,
      appData: { source },
      ...(source === 'camera' ? { encodings: cameraEncodings, codecOptions: { videoGoogleStartBitrate: 1000 } } : {}),
      ...(source === 'screen' ? { encodings: screenEncodings } : {}),
      // opusNack: the server asks again for lost audio packets; on links of modest round trip the
      // retransmission arrives before the packet is due to play, where FEC alone covers only single losses.
      ...(source === 'mic' ? { codecOptions: { opusStereo: false, opusDtx: true, opusFec: true, opusNack: true } } : {}),
    })
    if (this.#closed) {
      producer.close()
      return
    }
    this.#producers.set(source, producer)
    if (paused) await this.setPaused(source, true)
  }

  /** hasProducer tells whether `source` is currently being sent. */
  hasProducer(source: MediaSource): boolean {
    return this.#producers.has(source)
  }

  /** closeProducer stops sending `source` and tells the server; a no-op when it is not being sent. */
  async closeProducer(source: MediaSource): Promise<void> {
    const producer = this.#producers.get(source)
    if (!producer) return
    this.#producers.delete(source)
    producer.close()
    await this.#signaling.request('closeProducer', { producerId: producer.id })
  }

  /** forgetProducer drops `source` here only: the server already closed it (a host turned the camera off). */
  forgetProducer(source: MediaSource): void {
    const producer = this.#producers.get(source)
    this.#producers.delete(source)
    producer?.close()
  }

  /**
   * setPaused mutes or unmutes a producer here and on the server (which tells the others). The
   * server is always told: mediasoup-client starts a producer of a disabled track as locally paused,
   * so the local flag alone would skip the pause the others need to see.
   */
  async setPaused(source: MediaSource, paused: boolean): Promise<void> {
    const producer = this.#producers.get(source)
    if (!producer) return
    if (paused) {
      producer.pause()
      await this.#signaling.request('pauseProducer', { producerId: producer.id })
    } else {
      producer.resume()
      await this.#signaling.request('resumeProducer', { producerId: producer.id })
    }
  }

  /**
   * consume receives a remote producer announced by `newConsumer` and asks the server to resume it
   * (consumers start paused so no media is lost before the track is attached). Returns the track.
   */
  async consume(announced: Notifications['newConsumer']): Promise<MediaStreamTrack> {
    const consumer = await this.#recv.consume({
      id: announced.consumerId,
      producerId: announced.producerId,
      kind: announced.kind,
      // The server sends mediasoup's own RtpParameters structure unchanged.
      rtpParameters: announced.rtpParameters as Parameters<Transport['consume']>[0]['rtpParameters'],
      appData: { peerId: announced.peerId, source: announced.source },
    })
    if (this.#closed) {
      consumer.close()
      throw new Error('media session closed')
    }
    this.#consumers.set(consumer.id, consumer)
    await this.#signaling.request('resumeConsumer', { consumerId: consumer.id })
    return consumer.track
  }

  /** closeConsumer drops a consumer the server closed (its producer went away). */
  closeConsumer(consumerId: string): void {
    this.#consumers.get(consumerId)?.close()
    this.#consumers.delete(consumerId)
  }

  /** preferLayer asks for a lower simulcast layer for small tiles (0 smallest, 2 full). Best effort. */
  preferLayer(consumerId: string, spatialLayer: 0 | 1 | 2): void {
    if (!this.#consumers.has(consumerId)) return
    this.#signaling.request('setConsumerLayers', { consumerId, spatialLayer }).catch(() => {
      // Only a quality hint: the consumer keeps working on the server's default layer.
    })
  }

  /** close tears everything down locally; the server side is gone already or goes with the socket. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#stopFreezeWatch()
    this.#stopQualityWatch()
    this.#stopUplinkWatch()
    this.#send.close()
    this.#recv.close()
    this.#producers.clear()
    this.#consumers.clear()
  }

  #wire(transport: Transport): void {
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.#signaling.request('connectTransport', { transportId: transport.id, dtlsParameters }).then(() => callback(), errback)
    })
    transport.on('connectionstatechange', (state) => {
      // A network change (Wi-Fi to cable, VPN up) breaks ICE; a restart usually recovers without a rejoin.
      if (state !== 'failed' || this.#closed) return
      this.#signaling
        .request('restartIce', { transportId: transport.id })
        .then(({ iceParameters }) => transport.restartIce({ iceParameters: iceParameters as Parameters<Transport['restartIce']>[0]['iceParameters'] }))
        .catch(() => {
          // The signaling socket is likely down too; the meeting's reconnect takes over.
        })
    })
  }
}
