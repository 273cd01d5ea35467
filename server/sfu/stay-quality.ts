// What one participant's stay was like, for the meeting history: the browser's own rating of its
// connection (reported through signaling `reportQuality`, summed by the browser) and how long the
// server held its video back for its downlink (downlink-fit.ts's limits). Kept in memory; the
// recorder writes it once, when the stay ends, so a chatty or hostile client costs no database writes.
import type { StayQuality as StoredQuality } from '../db/meeting-history-repository.ts'
import type { VideoLimit } from '../signaling/protocol.ts'
import { SfuError } from './errors.ts'

/** A browser reports at most this often; the web client reports every 15 s and when it leaves. */
export const REPORT_EVERY_MS = 5000
/** Clock skew and a report's transit: the levels may add up to a little more than the stay so far. */
const SLACK_MS = 10_000

export interface QualityReport {
  goodMs: number
  fairMs: number
  poorMs: number
}

export class StayQuality {
  readonly #joinedAt: number
  #reported: QualityReport | undefined
  #reportedAt = -Infinity
  /** Each managed video consumer's limit that is not 'none'. */
  readonly #limits = new Map<string, Exclude<VideoLimit, 'none'>>()
  #state: VideoLimit = 'none'
  #since: number
  #loweredMs = 0
  #audioOnlyMs = 0

  constructor(joinedAt: number) {
    this.#joinedAt = joinedAt
    this.#since = joinedAt
  }

  /**
   * report takes the browser's running totals for this stay. Refused (SfuError bad_request, saying
   * what is wrong) when it comes sooner than REPORT_EVERY_MS after the last, adds up to more time than
   * the stay has lasted, or goes back on an earlier report: the totals only grow.
   */
  report(r: QualityReport, now: number): void {
    if (now - this.#reportedAt < REPORT_EVERY_MS) {
      throw new SfuError('bad_request', `reportQuality: at most one report every ${REPORT_EVERY_MS / 1000} s; send running totals less often`)
    }
    const total = r.goodMs + r.fairMs + r.poorMs
    const lasted = now - this.#joinedAt
    if (total > lasted + SLACK_MS) {
      throw new SfuError('bad_request', `reportQuality: ${total} ms reported but this stay began ${lasted} ms ago; report milliseconds since join`)
    }
    const last = this.#reported
    if (last && (r.goodMs < last.goodMs || r.fairMs < last.fairMs || r.poorMs < last.poorMs)) {
      throw new SfuError('bad_request', 'reportQuality: totals went down; send running totals for this stay, not increments')
    }
    this.#reported = { goodMs: r.goodMs, fairMs: r.fairMs, poorMs: r.poorMs }
    this.#reportedAt = now
  }

  /** limit notes the server's limit on one of the receiver's video consumers ('none' also when it closes). */
  limit(consumerId: string, limit: VideoLimit, now: number = Date.now()): void {
    if (limit === 'none') this.#limits.delete(consumerId)
    else this.#limits.set(consumerId, limit)
    const values = [...this.#limits.values()]
    const state: VideoLimit = values.includes('audioOnly') ? 'audioOnly' : values.length > 0 ? 'lowered' : 'none'
    if (state === this.#state) return
    this.#account(now)
    this.#state = state
  }

  /** summary is the stay so far, as the history stores it. */
  summary(now: number): StoredQuality {
    this.#account(now)
    const r = this.#reported
    return {
      goodMs: r ? r.goodMs : null,
      fairMs: r ? r.fairMs : null,
      poorMs: r ? r.poorMs : null,
      videoLoweredMs: this.#loweredMs,
      audioOnlyMs: this.#audioOnlyMs,
    }
  }

  #account(now: number): void {
    const span = Math.max(0, now - this.#since)
    if (this.#state === 'lowered') this.#loweredMs += span
    else if (this.#state === 'audioOnly') this.#audioOnlyMs += span
    this.#since = now
  }
}
