// What the meeting shows about connections: a level per person (the tile's indicator), this user's own
// level, and the "your connection is poor" notice with what Veche did. Smoothed so it does not flicker.
import type { Participant } from './roster.ts'
import type { QualityLevel, QualityReport } from './quality-watch.ts'

/** What the notice says Veche did, most serious first. */
export type ConnectionNotice = 'audioOnly' | 'videoLowered' | 'uplinkPoor'

const ORDER: QualityLevel[] = ['good', 'fair', 'poor']
const worse = (a: QualityLevel, b: QualityLevel): QualityLevel => (ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b)

/** Reports (2 s each) a notice's cause must last before it shows, and be gone before it hides. */
const SHOW_AFTER = 2
const HIDE_AFTER = 3

export class ConnectionQuality {
  /** Per remote person: the worse of the last two reports. */
  readonly levels = new Map<string, QualityLevel>()
  /** This user's sending side. */
  self: QualityLevel = 'good'
  notice: ConnectionNotice | null = null
  #previous = new Map<string, QualityLevel>()
  #previousSelf: QualityLevel = 'good'
  #candidate: ConnectionNotice | null = null
  #held = 0
  #clear = 0

  /** update takes a report; returns whether a level or the notice changed. */
  update(report: QualityReport, participants: ReadonlyMap<string, Participant>): boolean {
    let changed = false
    const now = new Map<string, QualityLevel>()
    let limited: ConnectionNotice | null = null
    for (const [peerId, participant] of participants) {
      let level: QualityLevel | undefined
      for (const media of participant.media) {
        if (media.paused) continue
        const measured = report.byConsumer.get(media.consumerId)?.level
        const imposed: QualityLevel | undefined = media.limit === 'audioOnly' ? 'poor' : media.limit === 'lowered' ? 'fair' : undefined
        for (const l of [measured, imposed]) if (l) level = level ? worse(level, l) : l
        if (media.limit === 'audioOnly') limited = 'audioOnly'
        else if (media.limit === 'lowered' && limited === null) limited = 'videoLowered'
      }
      if (!level) continue
      now.set(peerId, level)
      const shown = worse(level, this.#previous.get(peerId) ?? level)
      if (this.levels.get(peerId) !== shown) changed = true
      this.levels.set(peerId, shown)
    }
    for (const peerId of this.levels.keys()) {
      if (now.has(peerId)) continue
      this.levels.delete(peerId)
      changed = true
    }
    this.#previous = now
    const self = worse(report.uplink, this.#previousSelf)
    this.#previousSelf = report.uplink
    if (self !== this.self) changed = true
    this.self = self
    return this.#decide(limited ?? (report.uplink === 'poor' ? 'uplinkPoor' : null)) || changed
  }

  /** reset forgets everything (media was set up again). */
  reset(): void {
    this.levels.clear()
    this.#previous.clear()
    this.self = this.#previousSelf = 'good'
    this.notice = this.#candidate = null
    this.#held = this.#clear = 0
  }

  #decide(candidate: ConnectionNotice | null): boolean {
    const before = this.notice
    if (candidate === null) {
      this.#candidate = null
      this.#held = 0
      if (this.notice !== null && ++this.#clear >= HIDE_AFTER) this.notice = null
    } else {
      this.#clear = 0
      this.#held = candidate === this.#candidate ? this.#held + 1 : 1
      this.#candidate = candidate
      // A more serious cause replaces a shown notice at once; a new one waits to be sure.
      const serious = this.notice !== null && rank(candidate) < rank(this.notice)
      if (serious || this.#held >= SHOW_AFTER) this.notice = candidate
    }
    return this.notice !== before
  }
}

function rank(notice: ConnectionNotice): number {
  return ['audioOnly', 'videoLowered', 'uplinkPoor'].indexOf(notice)
}
