// The capacity probe: how many people in SRTP meetings one media worker of this machine carries.
// Two real mediasoup workers on loopback: the one measured (a router with one all-see-all room, as
// Veche's), and a generator worker that does the SRTP of the synthetic participants (encrypting what
// they send, decrypting what a few counted receivers get), so the generator costs C, not Node, time.
// Each participant publishes Opus and 720p VP8 (320 packets/s, what a receiver of a browser's top
// simulcast layer gets), over SRTP into the measured worker, which forwards it to everyone else.
// Receivers not counted point at one plain transport of the generator worker that drops what it gets
// (no producer there): the measured worker encrypts, sends and delivers every packet as for a real
// receiver. (A closed port instead made it pay the kernel's ICMP path: ~30% more per packet.)
// Rooms grow until the worker is 75% busy, loses packets, or the time is up; capacity is then
// projected at 80% of a core from the CPU per forwarded packet (which only falls as rooms grow,
// so the projection errs low).
import { randomBytes } from 'node:crypto'
import * as mediasoup from 'mediasoup'
import type { types } from 'mediasoup'
import { AUDIO_PT, PACKETS_PER_SECOND, ProbeSender, SenderClock, VIDEO_PT } from './sender.ts'

export type ProbeSuite = 'AEAD_AES_256_GCM' | 'AEAD_AES_128_GCM' | 'AES_CM_128_HMAC_SHA1_80'
const KEY_BYTES: Record<ProbeSuite, number> = { AEAD_AES_256_GCM: 44, AEAD_AES_128_GCM: 28, AES_CM_128_HMAC_SHA1_80: 30 }

/** The share of a core a worker is planned to: room for bursts, joins and the per-second work. */
export const PLANNED_LOAD = 0.8
const STOP_LOAD = 0.75
const LOSS_LIMIT = 0.005
const LISTEN = '127.0.0.1'

const MEDIA_CODECS: types.RtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
]
const FEEDBACK = [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }]

export interface ProbeStep {
  participants: number
  /** Share of one core the measured worker used. */
  workerLoad: number
  usPerPacket: number
  packetsPerSecond: number
  /** Lost / expected on the counted receivers. */
  loss: number
}

export interface ProbeResult {
  suite: ProbeSuite
  steps: ProbeStep[]
  /** Why the rooms stopped growing. */
  stoppedBy: 'load' | 'loss' | 'time' | 'size'
  /** Worker CPU per forwarded packet at the largest room that held (us). */
  usPerPacket: number
  /** Forwarded packets one worker carries at PLANNED_LOAD of a core. */
  packetsPerWorker: number
  /** The largest all-see-all meeting one worker carries at PLANNED_LOAD. */
  roomPerWorker: number
}

export interface ProbeOptions {
  suite?: ProbeSuite
  /** The first room size, the largest, and the time budget for all rooms. */
  from?: number
  max?: number
  budgetMs?: number
  warmupMs?: number
  measureMs?: number
  /** Receivers per room whose loss is counted (through the generator worker). */
  counted?: number
  progress?: (line: string) => void
}

/** meetingsPerWorker returns how many meetings of `size` fit in `packetsPerWorker` (all see all). */
export const meetingsPerWorker = (size: number, packetsPerWorker: number): number =>
  Math.floor(packetsPerWorker / (size * (size - 1) * PACKETS_PER_SECOND))

/** roomFor returns the largest all-see-all room whose forwarding fits in `packetsPerSecond`. */
export function roomFor(packetsPerSecond: number): number {
  let n = 2
  while ((n + 1) * n * PACKETS_PER_SECOND <= packetsPerSecond) n++
  return n
}

const srtpTransport = (router: types.Router, suite: ProbeSuite): Promise<types.PlainTransport> =>
  router.createPlainTransport({ listenIp: LISTEN, rtcpMux: true, comedia: false, enableSrtp: true, srtpCryptoSuite: suite })

/** pair connects two SRTP plain transports to each other, each with the other's key. */
async function pair(a: types.PlainTransport, b: types.PlainTransport): Promise<void> {
  await a.connect({ ip: LISTEN, port: b.tuple.localPort, srtpParameters: b.srtpParameters! })
  await b.connect({ ip: LISTEN, port: a.tuple.localPort, srtpParameters: a.srtpParameters! })
}

interface Room {
  close(): void
  senders: ProbeSender[]
  /** The counting producers on the generator worker (one per stream a counted receiver gets). */
  counters: types.Producer[]
}

/** openRoom sets up a room of `size` on `sut`, fed and partly counted by `gen`. */
async function openRoom(sut: types.Worker, gen: types.Worker, size: number, suite: ProbeSuite, counted: number, clock: SenderClock): Promise<Room> {
  const sutRouter = await sut.createRouter({ mediaCodecs: MEDIA_CODECS })
  const genRouter = await gen.createRouter({ mediaCodecs: MEDIA_CODECS })
  const senders: ProbeSender[] = []
  const counters: types.Producer[] = []
  const room: Room = {
    senders,
    counters,
    close: () => {
      for (const s of senders) {
        clock.senders.delete(s)
        s.close()
      }
      sutRouter.close()
      genRouter.close()
    },
  }
  try {
    const published: types.Producer[][] = []
    for (let i = 0; i < size; i++) {
      const input = await genRouter.createPlainTransport({ listenIp: LISTEN, rtcpMux: true, comedia: true })
      const sender = await ProbeSender.open(input.tuple.localPort)
      senders.push(sender)
      const audio = await input.produce({
        kind: 'audio',
        rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: AUDIO_PT, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: sender.audio.ssrc }] },
      })
      const video = await input.produce({
        kind: 'video',
        rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: VIDEO_PT, clockRate: 90000, rtcpFeedback: FEEDBACK }], encodings: [{ ssrc: sender.video.ssrc }] },
      })
      // The participant's SRTP send path: generator worker -> measured worker.
      const out = await srtpTransport(genRouter, suite)
      const send = await srtpTransport(sutRouter, suite)
      await pair(out, send)
      const mine: types.Producer[] = []
      for (const p of [audio, video]) {
        const c = await out.consume({ producerId: p.id, rtpCapabilities: genRouter.rtpCapabilities, pipe: true })
        mine.push(await send.produce({ kind: c.kind, rtpParameters: c.rtpParameters }))
      }
      published.push(mine)
      clock.senders.add(sender)
    }
    // Receivers spread over the join order are counted; the rest receive at a dropping transport.
    const drop = await genRouter.createPlainTransport({ listenIp: LISTEN, rtcpMux: true, comedia: true })
    const countedAt = new Set(Array.from({ length: Math.min(counted, size) }, (_, j) => Math.floor(((j + 0.5) * size) / Math.min(counted, size))))
    for (let j = 0; j < size; j++) {
      const recv = await srtpTransport(sutRouter, suite)
      let back: types.PlainTransport | undefined
      if (countedAt.has(j)) {
        back = await srtpTransport(genRouter, suite)
        await pair(recv, back)
      } else {
        await recv.connect({ ip: LISTEN, port: drop.tuple.localPort, srtpParameters: { cryptoSuite: suite, keyBase64: randomBytes(KEY_BYTES[suite]).toString('base64') } })
      }
      for (let i = 0; i < size; i++) {
        if (i === j) continue
        for (const p of published[i]!) {
          const c = await recv.consume({ producerId: p.id, rtpCapabilities: sutRouter.rtpCapabilities })
          if (back) counters.push(await back.produce({ kind: c.kind, rtpParameters: c.rtpParameters }))
        }
      }
    }
    return room
  } catch (err) {
    room.close()
    throw err
  }
}

/** received sums what the counting producers got and lost so far. */
async function received(counters: types.Producer[]): Promise<{ packets: number; lost: number }> {
  let packets = 0
  let lost = 0
  for (const p of counters) {
    for (const s of await p.getStats()) {
      packets += s.packetCount
      lost += Math.max(0, s.packetsLost)
    }
  }
  return { packets, lost }
}

const cpuMs = async (w: types.Worker): Promise<number> => {
  const u = await w.getResourceUsage()
  return u.ru_utime + u.ru_stime
}
const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms))

/** measureRoom runs one room of `size` and returns its window's figures. */
async function measureRoom(sut: types.Worker, gen: types.Worker, size: number, o: Required<Omit<ProbeOptions, 'progress'>>, clock: SenderClock): Promise<ProbeStep> {
  const room = await openRoom(sut, gen, size, o.suite, o.counted, clock)
  try {
    await sleep(o.warmupMs)
    const sent0 = room.senders.reduce((n, s) => n + s.packets, 0)
    const got0 = await received(room.counters)
    const cpu0 = await cpuMs(sut)
    const t0 = performance.now()
    await sleep(o.measureMs)
    const cpu1 = await cpuMs(sut)
    const t1 = performance.now()
    const sent1 = room.senders.reduce((n, s) => n + s.packets, 0)
    const got1 = await received(room.counters)
    const packets = got1.packets - got0.packets
    const lost = got1.lost - got0.lost
    const loss = packets + lost > 0 ? lost / (packets + lost) : 1
    const forwarded = (sent1 - sent0) * (size - 1) * (1 - loss)
    const cpuUs = (cpu1 - cpu0) * 1000
    return {
      participants: size,
      workerLoad: cpuUs / ((t1 - t0) * 1000),
      usPerPacket: forwarded > 0 ? cpuUs / forwarded : Number.NaN,
      packetsPerSecond: forwarded / ((t1 - t0) / 1000),
      loss,
    }
  } finally {
    room.close()
  }
}

/**
 * probeCapacity grows an SRTP room on a fresh worker until it is STOP_LOAD busy, loses packets or
 * the budget is spent, and projects what one worker carries at PLANNED_LOAD. Throws when not even
 * the first room holds (the message says what was seen).
 */
export async function probeCapacity(options: ProbeOptions = {}): Promise<ProbeResult> {
  const o = {
    suite: options.suite ?? 'AEAD_AES_256_GCM',
    from: options.from ?? 8,
    max: options.max ?? 60,
    budgetMs: options.budgetMs ?? 40_000,
    warmupMs: options.warmupMs ?? 1500,
    measureMs: options.measureMs ?? 2500,
    counted: options.counted ?? 2,
  }
  const progress = options.progress ?? (() => undefined)
  const deadline = performance.now() + o.budgetMs
  const sut = await mediasoup.createWorker({ logLevel: 'error' })
  const gen = await mediasoup.createWorker({ logLevel: 'error' })
  const clock = new SenderClock()
  const steps: ProbeStep[] = []
  let stoppedBy: ProbeResult['stoppedBy'] = 'size'
  try {
    for (let size = o.from; size <= o.max; ) {
      const s = await measureRoom(sut, gen, size, o, clock)
      progress(
        `room of ${size}: worker ${(s.workerLoad * 100).toFixed(0)}% of a core, ${(s.packetsPerSecond / 1000).toFixed(1)}k packets/s forwarded, ` +
          `${s.usPerPacket.toFixed(2)} us/packet, loss ${(s.loss * 100).toFixed(2)}%`,
      )
      if (s.loss >= LOSS_LIMIT) {
        stoppedBy = 'loss'
        break
      }
      steps.push(s)
      if (s.workerLoad >= STOP_LOAD) {
        stoppedBy = 'load'
        break
      }
      if (performance.now() > deadline) {
        stoppedBy = 'time'
        break
      }
      // Aim at STOP_LOAD from this room's cost per packet, at most 10 more people a step.
      const next = Math.min(roomFor((STOP_LOAD * 1e6) / s.usPerPacket), size + 10, o.max)
      if (next <= size) break
      size = next
    }
  } finally {
    clock.stop()
    sut.close()
    gen.close()
  }
  const last = steps.at(-1)
  if (!last) throw new Error(`a room of ${o.from} already lost packets on this machine: is it busy? (run it when no meeting is on)`)
  const packetsPerWorker = (PLANNED_LOAD * 1e6) / last.usPerPacket
  return { suite: o.suite, steps, stoppedBy, usPerPacket: last.usPerPacket, packetsPerWorker, roomPerWorker: roomFor(packetsPerWorker) }
}
