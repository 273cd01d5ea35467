// Sums how long this participant's connection was good, fair or poor during one stay, for the meeting
// history (signaling `reportQuality`, running totals). The level of a moment is the worse of the own
// uplink and of what arrives from the best-received person: when everyone looks bad the trouble is
// here, when one person does it is most likely theirs.
import type { ConnectionQuality } from './connection-quality.ts'
import type { QualityLevel } from './quality-watch.ts'

const ORDER: QualityLevel[] = ['good', 'fair', 'poor']

/** A gap between quality reports longer than this (a frozen tab, media set up again) is not counted. */
const MAX_STEP_MS = 5000

export interface QualityTotals {
  goodMs: number
  fairMs: number
  poorMs: number
}

/** stayLevel: the participant's own level from what the meeting shows. */
export function stayLevel(quality: ConnectionQuality): QualityLevel {
  let received: QualityLevel | undefined
  for (const level of quality.levels.values()) {
    if (received === undefined || ORDER.indexOf(level) < ORDER.indexOf(received)) received = level
  }
  const own = quality.self
  return received === undefined || ORDER.indexOf(own) >= ORDER.indexOf(received) ? own : received
}

export class QualityTally {
  #totals: QualityTotals = { goodMs: 0, fairMs: 0, poorMs: 0 }
  #last: { level: QualityLevel; at: number } | undefined
  #sent = ''

  /** note records `level` as measured at `now`; the time since the previous note counts at that one's level. */
  note(level: QualityLevel, now: number): void {
    const last = this.#last
    if (last) {
      const step = now - last.at
      if (step > 0 && step <= MAX_STEP_MS) this.#totals[`${last.level}Ms`] += Math.round(step)
    }
    this.#last = { level, at: now }
  }

  /** pause stops counting until the next note (media is being set up again). */
  pause(): void {
    this.#last = undefined
  }

  /** reset starts a new stay (a new join). */
  reset(): void {
    this.#totals = { goodMs: 0, fairMs: 0, poorMs: 0 }
    this.#last = undefined
    this.#sent = ''
  }

  /** unsent returns the totals when they changed since the last `sent()`, else undefined. */
  unsent(): QualityTotals | undefined {
    const key = `${this.#totals.goodMs}/${this.#totals.fairMs}/${this.#totals.poorMs}`
    return key === this.#sent || key === '0/0/0' ? undefined : { ...this.#totals }
  }

  sent(totals: QualityTotals): void {
    this.#sent = `${totals.goodMs}/${totals.fairMs}/${totals.poorMs}`
  }
}
