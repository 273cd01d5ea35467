// Rates what this browser receives from each person (good / fair / poor) and whether its own uplink
// is struggling, from the transports' getStats every 2 s. Numbers only: the meeting decides what to tell.
import type { Consumer, Producer, Transport } from 'mediasoup-client/types'

export type QualityLevel = 'good' | 'fair' | 'poor'

export interface ConsumerQuality {
  level: QualityLevel
  /** Share of packets lost in the last window, 0..1. */
  loss: number
  /** Interarrival jitter, seconds. */
  jitter: number
  /** Decoded frames per second (video only). */
  fps: number | undefined
  /** The received picture's height (video only): which simulcast layer arrives. */
  height: number | undefined
}

export interface QualityReport {
  byConsumer: Map<string, ConsumerQuality>
  /** This browser's sending side: poor when its estimate or the server's loss reports say so. */
  uplink: QualityLevel
}

const POLL_MS = 2000

// Thresholds: loss above ~2% starts to show as artefacts and concealment, above ~8% video freezes and
// speech breaks up; jitter above ~40 ms makes the jitter buffer grow noticeably.
const FAIR = { loss: 0.02, jitter: 0.04, fps: 12 }
const POOR = { loss: 0.08, jitter: 0.1, fps: 5 }
/** Below this estimate a camera cannot send more than its smallest picture. */
const UPLINK_POOR_BPS = 250_000

interface Counters {
  lost: number
  received: number
  frames: number
  at: number
}

interface InboundStat {
  type: string
  kind?: string
  mid?: string
  packetsLost?: number
  packetsReceived?: number
  jitter?: number
  framesDecoded?: number
  frameHeight?: number
  timestamp: number
}

interface SendStat {
  type: string
  kind?: string
  nominated?: boolean
  state?: string
  availableOutgoingBitrate?: number
  fractionLost?: number
  qualityLimitationReason?: string
}

/** rate turns one window's figures into a level. */
export function rate(loss: number, jitter: number, fps: number | undefined): QualityLevel {
  if (loss > POOR.loss || jitter > POOR.jitter || (fps !== undefined && fps < POOR.fps)) return 'poor'
  if (loss > FAIR.loss || jitter > FAIR.jitter || (fps !== undefined && fps < FAIR.fps)) return 'fair'
  return 'good'
}

/**
 * watchQuality polls both transports every 2 s and hands `report` a rating of every resumed consumer
 * and of the uplink. Returns a stop function.
 */
export function watchQuality(
  recv: Transport,
  send: Transport,
  consumers: () => Iterable<Consumer>,
  producers: () => Iterable<Producer>,
  report: (quality: QualityReport) => void,
): () => void {
  const before = new Map<string, Counters>()
  let busy = false
  const poll = async (): Promise<void> => {
    if (busy || recv.closed) return
    busy = true
    try {
      const byMid = new Map<string, Consumer>()
      for (const c of consumers()) if (!c.paused && c.rtpParameters.mid) byMid.set(c.rtpParameters.mid, c)
      const byConsumer = new Map<string, ConsumerQuality>()
      const stats = await recv.getStats()
      stats.forEach((r: InboundStat) => {
        if (r.type !== 'inbound-rtp' || !r.mid) return
        const consumer = byMid.get(r.mid)
        if (!consumer) return
        const now: Counters = { lost: r.packetsLost ?? 0, received: r.packetsReceived ?? 0, frames: r.framesDecoded ?? 0, at: r.timestamp }
        const last = before.get(consumer.id)
        before.set(consumer.id, now)
        if (!last || now.at <= last.at) return
        const lost = Math.max(0, now.lost - last.lost)
        const got = Math.max(0, now.received - last.received)
        const loss = lost + got > 0 ? lost / (lost + got) : 0
        const jitter = r.jitter ?? 0
        const video = consumer.kind === 'video'
        // No packets at all is a paused sender or a server limit, not a measurable picture.
        const fps = video && got > 0 ? ((now.frames - last.frames) * 1000) / (now.at - last.at) : undefined
        byConsumer.set(consumer.id, { level: rate(loss, jitter, fps), loss, jitter, fps, height: video ? r.frameHeight : undefined })
      })
      const live = new Set([...byMid.values()].map((c) => c.id))
      for (const id of before.keys()) if (!live.has(id)) before.delete(id)
      report({ byConsumer, uplink: await uplinkOf(send, producers) })
    } catch {
      // Stats are best effort: a closing transport has none.
    } finally {
      busy = false
    }
  }
  const timer = setInterval(() => void poll(), POLL_MS)
  return () => clearInterval(timer)
}

/** uplinkOf rates the send side: the browser's own estimate while a camera sends, and the server's loss reports. */
async function uplinkOf(send: Transport, producers: () => Iterable<Producer>): Promise<QualityLevel> {
  const sending = [...producers()].filter((p) => !p.closed && !p.paused)
  if (send.closed || sending.length === 0) return 'good'
  const camera = sending.some((p) => p.kind === 'video')
  const stats = await send.getStats()
  let estimate: number | undefined
  let worstLoss = 0
  let bandwidthLimited = false
  stats.forEach((r: SendStat) => {
    if (r.type === 'candidate-pair' && r.nominated && r.state === 'succeeded' && r.availableOutgoingBitrate !== undefined) {
      estimate = r.availableOutgoingBitrate
    }
    if (r.type === 'remote-inbound-rtp' && r.fractionLost !== undefined) worstLoss = Math.max(worstLoss, r.fractionLost)
    if (r.type === 'outbound-rtp' && r.kind === 'video' && r.qualityLimitationReason === 'bandwidth') bandwidthLimited = true
  })
  if (worstLoss > POOR.loss || (camera && estimate !== undefined && estimate < UPLINK_POOR_BPS)) return 'poor'
  if (worstLoss > FAIR.loss || (camera && bandwidthLimited)) return 'fair'
  return 'good'
}
