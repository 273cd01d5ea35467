// Where synthetic subscribers receive: a UDP port per subscriber, counted and timed together.
// Two kinds: in this Node process (any load it can read; SRTP; first-packet times for join latency),
// or in the C sink process (bench/sink/rtp-sink.c) for the loads of a whole worker core.
import { createSocket, type Socket } from 'node:dgram'
import { Histogram } from './histogram.ts'
import { SrtpContext, type SrtpParameters } from './srtp.ts'
import { Subscriber } from './subscriber.ts'

export interface ReceivePort {
  readonly port: number
  /** Streams (SSRCs) seen on this port so far, as of the last report. */
  streams: number
  /** Resolves with the monotonic time (ms) of the first RTP packet; only where the side can tell at once. */
  firstPacket?: () => Promise<number>
  /**
   * key makes the port receive SRTP with the server's master key (known only once the transport is
   * connected: mediasoup makes a new one when the peer picks another suite). A no-op on null ports.
   */
  key(params: SrtpParameters): Promise<void>
  close(): void
}

export interface ReceiveReport {
  /** Packets received and expected (sequence numbers) in the window. */
  received: number
  expected: number
  delayP50Ms: number
  delayP99Ms: number
}

/** What a synthetic peer needs to subscribe: a port to point its recv transport at. */
export interface PortOpener {
  open(): Promise<ReceivePort>
}

export interface ReceiveSide extends PortOpener {
  readonly kind: 'node' | 'sink'
  /** pid of the process that does the receiving (for its CPU time). */
  readonly pid: number
  /** reset starts a new counting window. */
  reset(): Promise<void>
  /** report returns the window's figures and refreshes each port's `streams`. */
  report(): Promise<ReceiveReport>
  close(): Promise<void>
}

/** Socket buffers big enough to ride out a scheduling hiccup of the generator at full load. */
export const SOCKET_BUFFER = 2 * 1024 * 1024

export async function boundSocket(): Promise<Socket> {
  const socket = createSocket('udp4')
  socket.on('error', () => undefined) // See Publisher: a closed far end answers with ICMP.
  await new Promise<void>((done) => socket.bind(0, '127.0.0.1', done))
  socket.setRecvBufferSize(SOCKET_BUFFER)
  socket.setSendBufferSize(SOCKET_BUFFER)
  return socket
}

export class NodeReceiveSide implements ReceiveSide {
  readonly kind = 'node'
  readonly pid = process.pid
  readonly delays = new Histogram()
  readonly #ports = new Map<ReceivePort, Subscriber>()

  async open(): Promise<ReceivePort> {
    const socket = await boundSocket()
    const subscriber = new Subscriber(socket, this.delays)
    const port: ReceivePort = {
      port: socket.address().port,
      streams: 0,
      firstPacket: () => subscriber.firstPacket(),
      key: async (params) => void (subscriber.srtp = new SrtpContext(params)),
      close: () => {
        this.#ports.delete(port)
        socket.close()
      },
    }
    this.#ports.set(port, subscriber)
    return port
  }

  async reset(): Promise<void> {
    for (const s of this.#ports.values()) s.resetWindow()
    this.delays.reset()
  }

  async report(): Promise<ReceiveReport> {
    let received = 0
    let expected = 0
    for (const [port, s] of this.#ports) {
      const c = s.counts()
      received += c.received
      expected += c.expected
      port.streams = s.streams
    }
    return { received, expected, delayP50Ms: this.delays.percentile(0.5), delayP99Ms: this.delays.percentile(0.99) }
  }

  async close(): Promise<void> {
    for (const port of [...this.#ports.keys()]) port.close()
  }
}
