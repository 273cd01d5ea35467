// A userspace UDP relay that impairs what passes through it: loss (random or bursty), delay, jitter
// with or without reordering, and a bandwidth cap with a bounded queue, each direction on its own.
// It stands in for a bad network on loopback, where `tc netem` is not available. Every client
// address gets its own upstream socket, so the far end sees one distinct peer per client, as through
// a NAT.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram'

/** One direction's impairments; everything off by default. */
export interface LinkConditions {
  /** Average share of packets lost, 0..1. */
  loss?: number
  /** Mean length of a loss burst in packets (Gilbert-Elliott); 1 or absent: independent losses. */
  burst?: number
  /** One-way delay added to every packet, ms. */
  delayMs?: number
  /** Uniform jitter, ms: each packet's delay is delayMs ± jitterMs. */
  jitterMs?: number
  /** Let jitter reorder packets (as on a multi-path network); otherwise each waits for the one before. */
  reorder?: boolean
  /** Bandwidth cap, bits per second; 0 or absent: none. */
  rateBps?: number
  /** The cap's queue, in ms of traffic at the cap; a packet that would wait longer is dropped. */
  queueMs?: number
}

export interface LinkCounters {
  packets: number
  bytes: number
  lost: number
  queueDrops: number
  delivered: number
  /** Packets that left after a packet that arrived later (reordering actually done). */
  reordered: number
}

export interface RelayConditions {
  /** Client to target (the participant's uplink). */
  up?: LinkConditions
  /** Target to client (the participant's downlink). */
  down?: LinkConditions
}

/** Seeded generator (mulberry32) so a condition loses the same packets run after run. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface Pending {
  at: number
  seq: number
  send: () => void
}

/** A min-heap of packets by departure time (then arrival order), served by one timer. */
class Schedule {
  readonly #heap: Pending[] = []
  #timer: NodeJS.Timeout | undefined
  #timerAt = Infinity

  push(p: Pending): void {
    const h = this.#heap
    h.push(p)
    let i = h.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(h[i]!, h[parent]!)) break
      ;[h[i], h[parent]] = [h[parent]!, h[i]!]
      i = parent
    }
    this.#arm()
  }

  #pop(): Pending {
    const h = this.#heap
    const top = h[0]!
    const last = h.pop()!
    if (h.length > 0) {
      h[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < h.length && before(h[l]!, h[m]!)) m = l
        if (r < h.length && before(h[r]!, h[m]!)) m = r
        if (m === i) break
        ;[h[i], h[m]] = [h[m]!, h[i]!]
        i = m
      }
    }
    return top
  }

  #arm(): void {
    const next = this.#heap[0]
    if (!next || next.at >= this.#timerAt) return
    if (this.#timer) clearTimeout(this.#timer)
    this.#timerAt = next.at
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, next.at - performance.now()))
  }

  #fire(): void {
    this.#timer = undefined
    this.#timerAt = Infinity
    // Timers fire up to ~1 ms late; send everything due by then, in order.
    const now = performance.now() + 0.5
    while (this.#heap.length > 0 && this.#heap[0]!.at <= now) this.#pop().send()
    this.#arm()
  }

  close(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#heap.length = 0
  }
}

const before = (a: Pending, b: Pending): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq)

/** Link applies one direction's conditions: loss, then the cap's queue, then delay and jitter. */
export class Link {
  conditions: LinkConditions = {}
  readonly counters: LinkCounters = { packets: 0, bytes: 0, lost: 0, queueDrops: 0, delivered: 0, reordered: 0 }
  readonly #random: () => number
  readonly #schedule = new Schedule()
  #bad = false
  #capFreeAt = 0
  #lastDeparture = 0
  #seq = 0
  #lastDeliveredSeq = -1

  constructor(seed: number) {
    this.#random = random(seed)
  }

  /** pass takes one packet of `bytes` and calls `send` when (and if) it leaves the link. */
  pass(bytes: number, send: () => void): void {
    const c = this.conditions
    this.counters.packets++
    this.counters.bytes += bytes
    if (this.#lose(c)) {
      this.counters.lost++
      return
    }
    const now = performance.now()
    let at = now
    if (c.rateBps && c.rateBps > 0) {
      const start = Math.max(now, this.#capFreeAt)
      if (start - now > (c.queueMs ?? 200)) {
        this.counters.queueDrops++
        return
      }
      this.#capFreeAt = start + (bytes * 8 * 1000) / c.rateBps
      at = this.#capFreeAt
    }
    const jitter = c.jitterMs ? (this.#random() * 2 - 1) * c.jitterMs : 0
    at += Math.max(0, (c.delayMs ?? 0) + jitter)
    if (!c.reorder) at = Math.max(at, this.#lastDeparture)
    this.#lastDeparture = Math.max(this.#lastDeparture, at)
    const seq = this.#seq++
    const deliver = (): void => {
      if (seq < this.#lastDeliveredSeq) this.counters.reordered++
      this.#lastDeliveredSeq = Math.max(this.#lastDeliveredSeq, seq)
      this.counters.delivered++
      send()
    }
    if (at <= now) deliver()
    else this.#schedule.push({ at, seq, send: deliver })
  }

  #lose(c: LinkConditions): boolean {
    const loss = c.loss ?? 0
    if (loss <= 0) return false
    const burst = c.burst ?? 1
    if (burst <= 1) return this.#random() < loss
    // Gilbert-Elliott with every packet lost in the bad state: leave it after `burst` packets on
    // average, enter it often enough that the long-run share lost is `loss`.
    const leave = 1 / burst
    const enter = (loss * leave) / (1 - loss)
    this.#bad = this.#bad ? this.#random() >= leave : this.#random() < enter
    return this.#bad
  }

  close(): void {
    this.#schedule.close()
  }
}

export interface UdpRelayOptions {
  /** Where packets go: the media port. */
  targetHost: string
  targetPort: number
  /** Address the relay listens on for clients (default 127.0.0.1, any free port). */
  listenHost?: string
  conditions?: RelayConditions
  seed?: number
}

/** UdpRelay forwards UDP between clients and one target through an uplink and a downlink Link. */
export class UdpRelay {
  readonly up: Link
  readonly down: Link
  readonly #front: Socket
  readonly #options: UdpRelayOptions
  readonly #upstream = new Map<string, Socket>()
  #closed = false

  private constructor(front: Socket, options: UdpRelayOptions) {
    this.#front = front
    this.#options = options
    const seed = options.seed ?? 1
    this.up = new Link(seed)
    this.down = new Link(seed + 7919)
    this.set(options.conditions ?? {})
    front.on('message', (msg, rinfo) => this.#fromClient(msg, rinfo))
  }

  /** UdpRelay.start binds the client-facing socket; throws if it cannot. */
  static async start(options: UdpRelayOptions): Promise<UdpRelay> {
    const front = createSocket('udp4')
    await new Promise<void>((resolve, reject) => {
      front.once('error', reject)
      front.bind(0, options.listenHost ?? '127.0.0.1', () => {
        front.off('error', reject)
        resolve()
      })
    })
    return new UdpRelay(front, options)
  }

  /** port is where clients send instead of the target. */
  get port(): number {
    return this.#front.address().port
  }

  get address(): string {
    return this.#front.address().address
  }

  /** set replaces both directions' conditions at once (a link that changes mid-meeting). */
  set(conditions: RelayConditions): void {
    this.up.conditions = { ...(conditions.up ?? {}) }
    this.down.conditions = { ...(conditions.down ?? {}) }
  }

  /** clients is how many distinct client addresses have sent through the relay. */
  get clients(): number {
    return this.#upstream.size
  }

  #fromClient(msg: Buffer, from: RemoteInfo): void {
    const key = `${from.address}:${from.port}`
    let up = this.#upstream.get(key)
    if (!up) {
      const socket = createSocket('udp4')
      socket.on('message', (reply) => {
        this.down.pass(reply.length, () => {
          if (!this.#closed) this.#front.send(reply, from.port, from.address)
        })
      })
      socket.on('error', () => undefined)
      socket.bind(0, '127.0.0.1')
      this.#upstream.set(key, socket)
      up = socket
    }
    const socket = up
    this.up.pass(msg.length, () => {
      if (!this.#closed) socket.send(msg, this.#options.targetPort, this.#options.targetHost)
    })
  }

  async close(): Promise<void> {
    this.#closed = true
    this.up.close()
    this.down.close()
    for (const s of this.#upstream.values()) s.close()
    this.#upstream.clear()
    await new Promise<void>((done) => this.#front.close(() => done()))
  }
}
