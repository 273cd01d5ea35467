// One synthetic participant: joins a room through a target's control session, receives everyone
// else on a plain recv transport, and publishes audio and simulcast video on a plain send transport.
// It subscribes first, as a browser's join does, so the join time ends at the first packet seen.
import type { Socket } from 'node:dgram'
import { monoMs } from './clock.ts'
import { audioRtpParameters, SUBSCRIBER_RTP_CAPABILITIES, videoRtpParameters } from './media-profile.ts'
import type { Pacer } from './pacer.ts'
import { Publisher } from './publisher.ts'
import { boundSocket, type PortOpener, type ReceivePort } from './receive-side.ts'
import { newSrtpParameters, SrtpContext } from './srtp.ts'
import type { SfuSession, SfuTarget } from './targets/target.ts'

export interface PeerOptions {
  srtp: boolean
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
    const inbox = await o.receiver.open(recv.srtpParameters ? new SrtpContext(recv.srtpParameters) : undefined)
    const peer = new SyntheticPeer(session, inbox, startedAt, o.pacer)
    peer.joinedAt = joinedAt
    session.onNewConsumer = (c) =>
      void session
        .resumeConsumer(c.consumerId)
        .then(() => peer.consumers++)
        .catch(() => undefined)
    try {
      await session.connectPlainTransport(recv.id, '127.0.0.1', inbox.port, o.srtp ? newSrtpParameters() : undefined)
      await session.ready(SUBSCRIBER_RTP_CAPABILITIES)
      if (o.publish) await peer.#publish(o.srtp)
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
    const ours = srtp ? newSrtpParameters() : undefined
    await this.#session.connectPlainTransport(send.id, '127.0.0.1', socket.address().port, ours)
    await new Promise<void>((done) => socket.connect(send.port, send.ip, done))
    const publisher = new Publisher(
      socket,
      ours ? new SrtpContext(ours) : undefined,
      send.srtpParameters ? new SrtpContext(send.srtpParameters) : undefined,
    )
    const cname = `bench-${publisher.audioSsrc}`
    await this.#session.produce(send.id, 'audio', audioRtpParameters(publisher.audioSsrc, cname), 'mic')
    await this.#session.produce(send.id, 'video', videoRtpParameters(publisher.videoSsrcs, cname), 'camera')
    publisher.start()
    this.publisher = publisher
    this.#pacer.add(publisher)
  }

  /** leave stops publishing, closes the control session (the server drops the peer) and the sockets. */
  async leave(): Promise<void> {
    if (this.publisher) this.#pacer.remove(this.publisher)
    await this.#session.close().catch(() => undefined)
    for (const s of this.#sockets) s.close()
    this.inbox.close()
  }
}
