// Reads the from/to query parameters of the history API into a time range, with errors that say what
// a good value looks like. Dates are UTC days; times must carry their zone.
import { DAY_MS } from '../db/meeting-statistics.ts'
import type { TimeRange } from '../db/meeting-history-repository.ts'

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/

export class BadRangeError extends Error {
  override name = 'BadRangeError'
}

/**
 * parseInstant reads `value` as a UTC date (2026-01-31: its start, or with `end` the start of the next
 * day, so a date range includes its last day) or a time with zone (2026-01-31T09:00:00Z, exclusive as
 * an end). Throws BadRangeError naming `name` otherwise.
 */
export function parseInstant(name: string, value: string, end: boolean): number {
  const date = DATE.exec(value)
  if (date) {
    const ms = Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]))
    // Date.UTC rolls 2026-02-30 over into March: only a date that reads back the same is real.
    if (new Date(ms).toISOString().slice(0, 10) === value) return end ? ms + DAY_MS : ms
  } else if (TIME.test(value)) {
    const ms = Date.parse(value)
    if (Number.isFinite(ms)) return ms
  }
  throw new BadRangeError(`${name}: expected a date like 2026-01-31 or a time like 2026-01-31T09:00:00Z, got '${value.slice(0, 40)}'`)
}

export interface RangeRules {
  /** When from is absent: this many days before `to`. */
  defaultDays: number
  /** Longest range allowed; undefined: any. */
  maxDays?: number
  /** Widen to whole UTC days (statistics are per day). */
  wholeDays?: boolean
  now: number
}

/**
 * parseRange reads from/to (either may be absent: to defaults to the end of today, UTC) into [from, to).
 * Throws BadRangeError for a bad value, an empty range, or one longer than rules.maxDays.
 */
export function parseRange(query: { from?: string | undefined; to?: string | undefined }, rules: RangeRules): TimeRange {
  const endOfToday = Math.floor(rules.now / DAY_MS) * DAY_MS + DAY_MS
  let to = query.to === undefined ? endOfToday : parseInstant('to', query.to, true)
  let from = query.from === undefined ? to - rules.defaultDays * DAY_MS : parseInstant('from', query.from, false)
  if (rules.wholeDays) {
    from = Math.floor(from / DAY_MS) * DAY_MS
    to = Math.ceil(to / DAY_MS) * DAY_MS
  }
  if (from >= to) throw new BadRangeError('from must be before to')
  const days = Math.ceil((to - from) / DAY_MS)
  if (rules.maxDays !== undefined && days > rules.maxDays) {
    throw new BadRangeError(`the range covers ${days} days; ask for at most ${rules.maxDays} at a time (narrow from/to)`)
  }
  return { from, to }
}
