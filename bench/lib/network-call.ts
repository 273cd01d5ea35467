// Runs two real Chromium pages in one meeting on the real server, the guest's media through a
// UdpRelay whose conditions change on a timeline, and reports what each side received. Used by
// bench/network-conditions.ts and its smoke test.
import { createSocket } from 'node:dgram'
import { createServer } from 'node:net'
import { loadavg } from 'node:os'
import type { Browser } from 'playwright-core'
import { joinFromLink, launchBrowser, mediaFlows, newMeetingContext, signIn } from '../../test/browser.ts'
import { firstBelowS, recoveryS, routeThroughRelay, sampleCall, summarize, type CallSample, type WindowSummary } from './call-stats.ts'
import { OWNER, VecheTarget } from './targets/veche.ts'
import { UdpRelay, type LinkCounters, type RelayConditions } from './udp-relay.ts'

/** A network condition on the guest's path: relay conditions applied at fractions of its duration. */
export interface NetworkCondition {
  name: string
  description: string
  /** [fraction of the duration, conditions from then on]; the first usually at 0. */
  phases: [number, RelayConditions][]
}

const both = (c: RelayConditions['up']): RelayConditions => ({ up: c, down: c })

export const CONDITIONS: NetworkCondition[] = [
  { name: 'clean', description: 'no impairment (the relay only forwards)', phases: [] },
  { name: 'loss3', description: '3% random loss both ways', phases: [[0, both({ loss: 0.03 })]] },
  { name: 'loss10', description: '10% random loss both ways', phases: [[0, both({ loss: 0.1 })]] },
  { name: 'bursty', description: '5% loss both ways in bursts of 10 packets on average', phases: [[0, both({ loss: 0.05, burst: 10 })]] },
  { name: 'cap400', description: 'guest downlink capped at 400 kbps, 200 ms queue', phases: [[0, { down: { rateBps: 400_000, queueMs: 200 } }]] },
  {
    name: 'capdrop',
    description: 'guest downlink capped at 400 kbps for the middle half, then free',
    phases: [[0.25, { down: { rateBps: 400_000, queueMs: 200 } }], [0.75, {}]],
  },
  {
    name: 'cap60',
    description: 'guest downlink capped at 60 kbps for the middle half (room for audio, not for any picture), then free',
    phases: [[0.25, { down: { rateBps: 60_000, queueMs: 200 } }], [0.75, {}]],
  },
  { name: 'jitter', description: '150 ms ± 30 ms each way, reordering', phases: [[0, both({ delayMs: 150, jitterMs: 30, reorder: true })]] },
]

/** What one side received during a condition. */
export interface SideResult {
  /** Received before the condition (the reference for recovery). */
  reference: WindowSummary
  during: WindowSummary
  /** Seconds from the impairment's start until the received picture got smaller. */
  downS: number | undefined
  /** Seconds from the impairment's end until frame rate (80% of reference) and size were back. */
  recoveredS: number | undefined
}

export interface ConditionResult {
  condition: string
  description: string
  durationS: number
  /** The owner receiving the guest (the guest's uplink impaired). */
  ownerReceives: SideResult
  /** The guest receiving the owner (the guest's downlink impaired). */
  guestReceives: SideResult
  relay: { up: LinkCounters; down: LinkCounters; clients: number }
  /** The audio codec line the guest's page decoded (mime type and fmtp). */
  audioCodec: string
  loadAverage: number
  /** Every sample, for a closer look at a run. */
  samples: { owner: CallSample[]; guest: CallSample[] }
}

export interface CallBench {
  server: VecheTarget
  browser: Browser
  mediaPort: number
  close(): Promise<void>
}

/** freePort returns a port free for both UDP and TCP on 127.0.0.1 (the worker listens on both). */
async function freePort(): Promise<number> {
  for (;;) {
    const udp = createSocket('udp4')
    const port = await new Promise<number>((done) => udp.bind(0, '127.0.0.1', () => done(udp.address().port)))
    const tcpFree = await new Promise<boolean>((done) => {
      const s = createServer()
      s.once('error', () => done(false))
      s.listen(port, '127.0.0.1', () => s.close(() => done(true)))
    })
    await new Promise<void>((done) => udp.close(() => done()))
    if (tcpFree) return port
  }
}

/** startCallBench starts the real server (one worker on a known media port) and Chromium. */
export async function startCallBench(): Promise<CallBench> {
  const mediaPort = await freePort()
  const server = await VecheTarget.start({ workers: 1, set: [`media.port=${mediaPort}`] })
  const teardowns: (() => unknown)[] = []
  let browser: Browser
  try {
    browser = await launchBrowser({ teardown: (fn) => teardowns.push(fn) }, server.certPem)
  } catch (err) {
    await server.close()
    throw err
  }
  return {
    server,
    browser,
    mediaPort,
    async close() {
      for (const fn of teardowns.reverse()) await fn()
      await server.close()
    },
  }
}

export interface RunOptions {
  durationS: number
  /** Clean seconds before the condition (the reference) and after it (recovery). */
  leadS?: number
  tailS?: number
  seed?: number
  log?: (line: string) => void
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms))

/**
 * runCondition holds one meeting of two pages, the guest behind a fresh relay, for lead + duration +
 * tail seconds, sampling both pages every second. Throws if media never flows.
 */
export async function runCondition(bench: CallBench, condition: NetworkCondition, options: RunOptions): Promise<ConditionResult> {
  const lead = (options.leadS ?? 8) * 1000
  const tail = (options.tailS ?? 8) * 1000
  const duration = options.durationS * 1000
  const relay = await UdpRelay.start({ targetHost: '127.0.0.1', targetPort: bench.mediaPort, seed: options.seed ?? 1 })
  const ownerContext = await newMeetingContext(bench.browser, 'en-US')
  const guestContext = await newMeetingContext(bench.browser, 'en-US')
  try {
    await routeThroughRelay(guestContext, relay.address, relay.port)
    const room = await bench.server.createRoom()
    const link = `${bench.server.url}/r/${room}`
    const owner = await ownerContext.newPage()
    await signIn(owner, bench.server.url, OWNER.email, OWNER.password)
    await joinFromLink(owner, link)
    const guest = await guestContext.newPage()
    await joinFromLink(guest, link, 'Guest')
    await Promise.all([mediaFlows(owner, 30_000), mediaFlows(guest, 30_000)])
    if (relay.clients === 0) throw new Error('the guest reached the server without the relay')

    const epoch = Date.now()
    const ownerSamples: CallSample[] = []
    const guestSamples: CallSample[] = []
    const phases = condition.phases.map(([at, c]) => ({ at: lead + at * duration, c }))
    phases.push({ at: lead + duration, c: {} })
    const end = lead + duration + tail
    let next = 0
    for (let tick = 0; tick * 1000 <= end; tick++) {
      await sleep(Math.max(0, epoch + tick * 1000 - Date.now()))
      while (next < phases.length && phases[next]!.at <= Date.now() - epoch) relay.set(phases[next++]!.c)
      const [o, g] = await Promise.all([sampleCall(owner, epoch), sampleCall(guest, epoch)])
      ownerSamples.push(o)
      guestSamples.push(g)
      options.log?.(
        `  ${condition.name} t=${(o.t / 1000).toFixed(0)}s owner<-guest ${o.frameHeight}p frames ${o.framesDecoded} pli ${o.pliCount} (guest sends ${g.sentLayers}) | guest<-owner ${g.frameHeight}p frames ${g.framesDecoded} (owner sends ${o.sentLayers})`,
      )
    }
    const start = condition.phases.length > 0 ? phases[0]!.at : lead
    const impairedEnd = condition.phases.length > 0 && Object.keys(condition.phases.at(-1)![1]).length === 0 ? phases.at(-2)!.at : lead + duration
    const side = (samples: CallSample[]): SideResult => {
      const reference = summarize(samples, lead / 2, lead)
      return {
        reference,
        during: summarize(samples, start, impairedEnd),
        downS: firstBelowS(samples, start, impairedEnd, reference.height),
        recoveredS: recoveryS(samples, impairedEnd, end + 1000, reference.fps * 0.8, reference.height),
      }
    }
    return {
      condition: condition.name,
      description: condition.description,
      durationS: options.durationS,
      ownerReceives: side(ownerSamples),
      guestReceives: side(guestSamples),
      relay: { up: { ...relay.up.counters }, down: { ...relay.down.counters }, clients: relay.clients },
      audioCodec: guestSamples.at(-1)?.audioCodec ?? '',
      loadAverage: loadavg()[0]!,
      samples: { owner: ownerSamples, guest: guestSamples },
    }
  } finally {
    await guestContext.close().catch(() => undefined)
    await ownerContext.close().catch(() => undefined)
    await relay.close()
  }
}
