// Calendar dates as the vendor types them (YYYY-MM-DD, UTC) and as tokens carry them (unix seconds).
import { VendorError } from './errors.ts'

/** nowSeconds is the current time in unix seconds, the unit of every token claim. */
export const nowSeconds = (): number => Math.floor(Date.now() / 1000)

/**
 * endOfDay returns the first second after the UTC day `day` (YYYY-MM-DD), so "--until 2027-11-30"
 * covers all of November 30 wherever the customer is. Throws VendorError bad_spec for anything else.
 */
export function endOfDay(day: string, option: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day)
  const [y, mo, d] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0]
  const start = new Date(Date.UTC(y, mo - 1, d))
  // Date.UTC rolls 2027-02-31 over to March; a date that does not round-trip was mistyped.
  if (!m || start.getUTCFullYear() !== y || start.getUTCMonth() !== mo - 1 || start.getUTCDate() !== d) {
    throw new VendorError('bad_spec', `${option} '${day}' is not a date: write it as YYYY-MM-DD, e.g. 2027-11-30`)
  }
  return start.getTime() / 1000 + 86_400
}

/** addMonths returns `seconds` moved `months` calendar months later (UTC). */
export function addMonths(seconds: number, months: number): number {
  const d = new Date(seconds * 1000)
  d.setUTCMonth(d.getUTCMonth() + months)
  return Math.floor(d.getTime() / 1000)
}

/** isoDay formats unix seconds as YYYY-MM-DD (UTC) for messages. */
export const isoDay = (seconds: number): string => new Date(seconds * 1000).toISOString().slice(0, 10)
