import type { Handler } from '../handler.ts'
import { joined } from '../session.ts'

/**
 * reportQuality keeps the browser's running totals of its connection levels for the meeting history
 * (written when the stay ends). Refused when too frequent, longer than the stay, or going back.
 */
export const reportQuality: Handler<'reportQuality'> = (session, data) => {
  const { peer } = joined(session)
  peer.quality.report(data, Date.now())
  return {}
}
