// Fits one receiver's simulcast video to its downlink. mediasoup, given a bandwidth estimate, climbs
// every temporal layer of the small picture, then the first temporal layers of the bigger one, so under
// a cap it settles on the bigger picture at a half or a quarter of the frame rate (bench: 360p at
// 10 fps under 400 kbps, never 180p at full rate). Here the preferred spatial layer is lowered to the
// biggest picture whose full frame rate fits the estimate, and raised again when the estimate allows.
import type { types } from 'mediasoup'
import type { VideoLimit } from '../signaling/protocol.ts'

/** What a layer costs on the wire over the media bitrate mediasoup counts (headers, RTX). */
const OVERHEAD = 1.15
/** Raise only into this share of the budget, so a layer that barely fits is not tried and dropped again. */
const RAISE_HEADROOM = 0.8
/** An Opus stream with FEC, as the receive transport carries it. */
const AUDIO_BPS = 45_000
/** A consumer younger than this has not had its first key frame yet: no layers is not a limit then. */
const SETTLE_MS = 4000
/** Below this share of the smallest picture's bitrate (half its frame rate) video is not worth it. */
const MIN_SHARE = 0.5
/**
 * While audio only, video is tried again for TRIAL_MS after TRIAL_FIRST_MS, then at doubling
 * intervals up to TRIAL_MAX_MS: each trial costs the audio some bandwidth on a link that is still bad.
 */
const TRIAL_FIRST_MS = 4000
const TRIAL_MAX_MS = 12_000
const TRIAL_MS = 4000
/**
 * Loss on the way to the receiver (transport-cc feedback, mediasoup's weighted average of the last 24
 * reports, i.e. the last 1-2 s) above this is congestion, not a lossy radio: random loss of 10% or
 * bursts averaging 5% stay below it, a link capped under what is sent loses 30-50% within a second.
 */
const CONGESTION_LOSS = 0.15
/** What a congested link carried caps the budget this long after the loss was last seen. */
const CEILING_HOLD_MS = 4000

interface Fitted {
  readonly consumer: types.Consumer
  readonly producer: types.Producer
  readonly since: number
  /** The spatial layer the client asked for (its tile size). */
  requested: number
  /** The spatial layer set as preferred on the consumer. */
  applied: number
  limit: VideoLimit
  /** Paused here for want of bandwidth (audio only) since then; undefined: not paused here. */
  pausedAt: number | undefined
  /** A trial of video after audio only lasts until then. */
  trialUntil: number
  /** Trials that failed since video last fitted. */
  failedTrials: number
  /** The budget this consumer had at the last tick (bits/s); Infinity before the first. */
  budget: number
}

/** Per-producer layer bitrates for one tick, shared by every receiver of that producer. */
export type LayerCosts = Map<string, Promise<number[]>>

/** The receive transport's own view of its link: its send rate and the share lost on the way. */
export interface DownlinkLoss {
  /** bits/s sent on the transport (media, RTX, headers), mediasoup's last second. */
  sendBitrate: number
  /** 0..1, from the receiver's transport-cc feedback. */
  loss: number
}

export class DownlinkFit {
  readonly #fitted = new Map<string, Fitted>()
  readonly #tell: (consumerId: string, limit: VideoLimit) => void
  /** What the link carried when it last lost packets to congestion, and until when that caps the budget. */
  #ceiling: { bps: number; until: number } | undefined
  #lastLoss = 0

  /** `tell` hears each change of a consumer's limit (the client shows it on the tile). */
  constructor(tell: (consumerId: string, limit: VideoLimit) => void) {
    this.#tell = tell
  }

  /** add takes a simulcast video consumer under management; other consumers are ignored. */
  add(consumer: types.Consumer, producer: types.Producer): void {
    if (consumer.type !== 'simulcast') return
    const top = producer.rtpParameters.encodings!.length - 1
    this.#fitted.set(consumer.id, { consumer, producer, since: Date.now(), requested: top, applied: top, limit: 'none', pausedAt: undefined, trialUntil: 0, failedTrials: 0, budget: Infinity })
    consumer.observer.once('close', () => this.#fitted.delete(consumer.id))
    consumer.on('layerschange', (layers) => void this.#onLayers(consumer.id, layers))
  }

  /**
   * #onLayers lowers the picture at once when mediasoup dropped frames of it for want of bandwidth
   * (it weighs loss too, so it often knows before the estimate does) while the budget was tight anyway:
   * the smaller picture at full rate looks better than the bigger one at a half or a quarter.
   */
  async #onLayers(consumerId: string, layers: types.ConsumerLayers | undefined): Promise<void> {
    const f = this.#fitted.get(consumerId)
    if (!f || !layers || f.pausedAt !== undefined || Date.now() - f.since < SETTLE_MS) return
    const top = f.consumer.preferredLayers?.temporalLayer
    if (top === undefined || (layers.temporalLayer ?? top) >= top || layers.spatialLayer !== f.applied || f.applied === 0) return
    const costs = await layerCosts(f.producer, new Map())
    if ((costs[f.applied] ?? 0) * OVERHEAD < RAISE_HEADROOM * f.budget) return
    await this.#apply(f, f.applied - 1)
  }

  get size(): number {
    return this.#fitted.size
  }

  /**
   * request records the spatial layer the client wants for `consumer` and applies it, or less when the
   * last estimate said it does not fit (the next tick raises it when it does).
   */
  async request(consumer: types.Consumer, spatialLayer: number): Promise<void> {
    const f = this.#fitted.get(consumer.id)
    if (!f) {
      await consumer.setPreferredLayers({ spatialLayer })
      return
    }
    f.requested = spatialLayer
    if (f.pausedAt !== undefined) return
    if (f.limit === 'none' || spatialLayer < f.applied) await this.#apply(f, spatialLayer)
  }

  /**
   * tick fits every managed consumer to `available` (bits/s, the receive transport's estimate) minus
   * `audioStreams` Opus streams. Bigger tiles are served first. A consumer whose smallest picture does
   * not fit even at half its frame rate is paused (audio only) and tried again every few seconds.
   * `link`: when the receiver loses packets to congestion, what actually arrives (sent x delivered)
   * caps the budget at once, and for a few seconds after: mediasoup's estimate takes 3-4 s to fall
   * under a sudden cap (the bench's `capdrop`), while the loss shows within a second.
   * Never throws: a consumer or producer that closed meanwhile is skipped.
   */
  async tick(available: number, audioStreams: number, costs: LayerCosts, link?: DownlinkLoss): Promise<void> {
    const now = Date.now()
    if (link && link.loss > CONGESTION_LOSS && link.sendBitrate > 0) {
      const carried = link.sendBitrate * (1 - link.loss)
      const held = this.#ceiling && now < this.#ceiling.until ? this.#ceiling.bps : 0
      // The loss is an average of the last second or two: while it falls after a step down, the lower
      // rate sent now says less about the link than the rate that overflowed it.
      const bps = link.loss < this.#lastLoss ? Math.max(held, carried) : carried
      this.#ceiling = { bps, until: now + CEILING_HOLD_MS }
    }
    this.#lastLoss = link?.loss ?? 0
    if (this.#ceiling && now < this.#ceiling.until) available = Math.min(available, this.#ceiling.bps)
    let budget = available - audioStreams * AUDIO_BPS
    const live = [...this.#fitted.values()].filter(
      (f) => !f.consumer.closed && !f.consumer.producerPaused && (!f.consumer.paused || f.pausedAt !== undefined),
    )
    live.sort((a, b) => b.requested - a.requested)
    for (const f of live) {
      const layers = await layerCosts(f.producer, costs)
      const lowest = layers.findIndex((b) => b > 0)
      if (lowest < 0) continue
      // Loss on the way to the receiver (a full queue drops) means the estimate runs ahead of the link.
      const score = f.consumer.score?.score ?? 10
      if (score < 7) budget *= 0.7
      f.budget = budget
      if (f.pausedAt !== undefined) {
        // Audio only: the paused consumer asks for no bandwidth, so only a trial shows whether it came back.
        if (now - f.pausedAt >= Math.min(TRIAL_FIRST_MS * 2 ** f.failedTrials, TRIAL_MAX_MS)) await this.#trial(f, now)
        continue
      }
      const lowestCost = layers[lowest]! * OVERHEAD
      if (budget < lowestCost * MIN_SHARE && now - f.since > SETTLE_MS) {
        // A trial runs a few seconds: the estimate needs the probing the resumed consumer brings.
        if (now >= f.trialUntil) await this.#pause(f, now)
        continue
      }
      f.trialUntil = 0
      f.failedTrials = 0
      let target = -1
      for (let s = Math.min(f.requested, layers.length - 1); s >= 0; s--) {
        const cost = layers[s]! * OVERHEAD
        if (cost === 0) continue
        if (cost <= (s > f.applied ? RAISE_HEADROOM : 1) * budget) {
          target = s
          break
        }
      }
      // Nothing fits at full rate: keep the smallest picture preferred; mediasoup thins its frame rate.
      const chosen = target >= 0 ? target : lowest
      // Raise one step a tick, each against a fresh estimate; lower at once.
      const next = chosen > f.applied ? f.applied + 1 : chosen
      if (next !== f.applied) await this.#apply(f, next)
      const cost = (layers[next] ?? 0) * OVERHEAD
      const limit = this.#limitOf(f, layers, cost > budget)
      // mediasoup found no layer that fits two ticks running: stop the consumer (and its probing).
      if (limit === 'audioOnly' && f.limit === 'audioOnly' && now >= f.trialUntil) {
        await this.#pause(f, now)
        continue
      }
      this.#setLimit(f, limit)
      budget -= cost
    }
  }

  async #pause(f: Fitted, now: number): Promise<void> {
    if (f.trialUntil > 0) f.failedTrials++
    f.pausedAt = now
    f.trialUntil = 0
    this.#setLimit(f, 'audioOnly')
    try {
      await f.consumer.pause()
    } catch {
      // Closed meanwhile.
    }
  }

  async #trial(f: Fitted, now: number): Promise<void> {
    f.pausedAt = undefined
    f.trialUntil = now + TRIAL_MS
    // The smallest picture first: the trial should not cost the audio much.
    await this.#apply(f, 0)
    try {
      await f.consumer.resume()
    } catch {
      // Closed meanwhile.
    }
  }

  /** #limitOf says what the receiver gets now against what it asked for; `short`: the budget does not cover it. */
  #limitOf(f: Fitted, layers: number[], short: boolean): VideoLimit {
    const current = f.consumer.currentLayers
    // No layer at all although the sender sends: mediasoup found nothing that fits.
    if (!current) return Date.now() - f.since > SETTLE_MS ? 'audioOnly' : f.limit
    const best = Math.min(f.requested, layers.findLastIndex((b) => b > 0))
    if (current.spatialLayer < best) return 'lowered'
    // mediasoup dropped temporal layers for want of bandwidth: fewer frames per second.
    const temporal = f.consumer.preferredLayers?.temporalLayer
    if (short && temporal !== undefined && (current.temporalLayer ?? temporal) < temporal) return 'lowered'
    return 'none'
  }

  #setLimit(f: Fitted, limit: VideoLimit): void {
    if (f.limit === limit) return
    f.limit = limit
    this.#tell(f.consumer.id, limit)
  }

  async #apply(f: Fitted, spatialLayer: number): Promise<void> {
    f.applied = spatialLayer
    try {
      await f.consumer.setPreferredLayers({ spatialLayer })
    } catch {
      // Closed meanwhile: the close handler forgets it.
    }
  }
}

/** layerCosts returns each simulcast stream's media bitrate (bits/s, 0: not sent), by spatial layer. */
function layerCosts(producer: types.Producer, costs: LayerCosts): Promise<number[]> {
  let known = costs.get(producer.id)
  if (!known) {
    known = producer.getStats().then(
      (stats) => {
        const encodings = producer.rtpParameters.encodings ?? []
        return encodings.map((e) => stats.find((s) => (e.rid !== undefined ? s.rid === e.rid : s.ssrc === e.ssrc))?.bitrate ?? 0)
      },
      () => [],
    )
    costs.set(producer.id, known)
  }
  return known
}
