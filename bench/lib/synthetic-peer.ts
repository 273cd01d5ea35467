// One synthetic participant: joins a room through a target's control session, receives everyone
// else on a plain recv transport, and publishes audio and simulcast video on a plain send transport.
// It subscribes first, as a browser's join does, so the join time ends at the first packet seen.
// Its media goes out from this process (publisher.ts) or, for SRTP load steps, from the C sink.
import type { Socket } from 'node:dgram'
import { monoMs } from './clock.ts'
import { audioRtpParameters, SUBSCRIBER_RTP_CAPABILITIES, videoRtpParameters } from './media-profile.ts'
import type { Pacer } from './pacer.ts'
import { Publisher } from './publisher.ts'
import { boundSocket, type PortOpener, type ReceivePort } from './receive-side.ts'
import type { SinkReceiveSide } from './sink.ts'
import { newSrtpParameters, SRTP_SUITE, SrtpContext, type SrtpParameters, type SrtpSuite } from './srtp.ts'
import type { PlainTransportInfo, SfuSession, SfuTarget } from './targets/target.ts'

export interface PeerOptions {
  srtp: boolean
  /** The SRTP suite the peer asks for (mediasoup switches its transport to it); default AES-CM. */
  suite?: SrtpSuite
  /** The C sink sends this peer's media (protecting it there) instead of this process. */
  publishIn?: SinkReceiveSide
  publish: boolean
  /** Where this peer receives: a counting receive side, or null ports (sampled receivers). */
  receiver: PortOpener
  pacer: Pacer
}

export class SyntheticPeer {
  readonly inbox: ReceivePort
  publisher: Publisher | undefined
  /**
   * Consumers the server created for this peer and that are running (resumed where the server
   * creates them paused): how a peer on a null port, whose packets nobody reads, shows it is set up.
   */
  consumers = 0
  /** monoMs() when the peer started connecting, and when the join reply came. */
  readonly startedAt: number
  joinedAt = 0
  readonly #session: SfuSession
  readonly #sockets: Socket[] = []
  readonly #pacer: Pacer
  /** The sink's publisher of this peer, when the sink publishes. */
  #sinkPublisher: { sink: SinkReceiveSide; id: number } | undefined

  private constructor(session: SfuSession, inbox: ReceivePort, startedAt: number, pacer: Pacer) {
    this.#session = session
    this.inbox = inbox
    this.startedAt = startedAt
    this.#pacer = pacer
  }

  /** SyntheticPeer.join connects, joins, subscribes to everyone and (if asked) starts publishing. */
  static async join(target: SfuTarget, room: string, name: string, o: PeerOptions): Promise<SyntheticPeer> {
    const startedAt = monoMs()
    const session = await target.connect(room)
    await session.join(name)
    const joinedAt = monoMs()
    const recv = await session.createPlainTransport('recv', o.srtp).catch(async (err: Error) => {
      await session.close().catch(() => undefined)
      throw err
    })
    const inbox = await o.receiver.open()
    const peer = new SyntheticPeer(session, inbox, startedAt, o.pacer)
    peer.joinedAt = joinedAt
    session.onNewConsumer = (c) =>
      void session
        .resumeConsumer(c.consumerId)
        .then(() => peer.consumers++)
        .catch(() => undefined)
    try {
      const suite = o.suite ?? SRTP_SUITE
      const server = await connect(session, recv, inbox.port, o.srtp ? newSrtpParameters(suite) : undefined)
      if (server) await inbox.key(server.theirs)
      await session.ready(SUBSCRIBER_RTP_CAPABILITIES)
      if (o.publish) await (o.publishIn ? peer.#publishFromSink(o.publishIn, o.srtp, suite) : peer.#publish(o.srtp))
    } catch (err) {
      // A half-joined peer would keep sending and keep the generator alive.
      await peer.leave()
      throw err
    }
    return peer
  }

  async #publish(srtp: boolean): Promise<void> {
    const socket = await boundSocket()
    this.#sockets.push(socket)
    const send = await this.#session.createPlainTransport('send', srtp)
    const keys = await connect(this.#session, send, socket.address().port, srtp ? newSrtpParameters() : undefined)
    await new Promise<void>((done) => socket.connect(send.port, send.ip, done))
    const publisher = new Publisher(socket, keys && new SrtpContext(keys.ours), keys && new SrtpContext(keys.theirs))
    const cname = `bench-${publisher.audioSsrc}`
    await this.#session.produce(send.id, 'audio', audioRtpParameters(publisher.audioSsrc, cname), 'mic')
    await this.#session.produce(send.id, 'video', videoRtpParameters(publisher.videoSsrcs, cname), 'camera')
    publisher.start()
    this.publisher = publisher
    this.#pacer.add(publisher)
  }

  /** #publishFromSink has the C sink send this peer's media: Node only connects, produces and starts it. */
  async #publishFromSink(sink: SinkReceiveSide, srtp: boolean, suite: SrtpSuite): Promise<void> {
    const send = await this.#session.createPlainTransport('send', srtp)
    const pub = await sink.openPublisher(send.ip, send.port)
    this.#sinkPublisher = { sink, id: pub.id }
    const keys = await connect(this.#session, send, pub.port, srtp ? newSrtpParameters(suite) : undefined)
    const cname = `bench-${pub.audioSsrc}`
    await this.#session.produce(send.id, 'audio', audioRtpParameters(pub.audioSsrc, cname), 'mic')
    await this.#session.produce(send.id, 'video', videoRtpParameters(pub.videoSsrcs, cname), 'camera')
    await sink.startPublisher(pub.id, keys && { ours: keys.ours, server: keys.theirs })
  }

  /** leave stops publishing, closes the control session (the server drops the peer) and the sockets. */
  async leave(): Promise<void> {
    if (this.publisher) this.#pacer.remove(this.publisher)
    if (this.#sinkPublisher) this.#sinkPublisher.sink.closePublisher(this.#sinkPublisher.id)
    this.#sinkPublisher = undefined
    await this.#session.close().catch(() => undefined)
    for (const s of this.#sockets) s.close()
    this.inbox.close()
  }
}

/**
 * connect points the server's plain transport `t` at our `port`, with our SRTP key if any; returns
 * both keys, the server's as it stands after connecting (mediasoup makes a new one when we pick
 * another suite than it offered). Throws when the server kept another suite than ours.
 */
async function connect(
  session: SfuSession,
  t: PlainTransportInfo,
  port: number,
  ours: SrtpParameters | undefined,
): Promise<{ ours: SrtpParameters; theirs: SrtpParameters } | undefined> {
  const after = await session.connectPlainTransport(t.id, '127.0.0.1', port, ours)
  if (!ours) return undefined
  const theirs = after ?? t.srtpParameters
  if (!theirs) throw new Error('the server gave no SRTP key for an SRTP transport')
  if (theirs.cryptoSuite !== ours.cryptoSuite) {
    throw new Error(`the server kept ${theirs.cryptoSuite} though we asked for ${ours.cryptoSuite}: it must answer connectPlainTransport with its new srtpParameters`)
  }
  return { ours, theirs }
}
