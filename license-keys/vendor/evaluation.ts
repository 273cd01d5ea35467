// Evaluation keys: what a prospective customer gets to try Veche before buying. Time-limited, small,
// marked `kind: evaluation` in the claims, and one per licensee (the vendor database remembers).
import { FEATURES, type Feature } from '../claims.ts'
import type { VendorStore } from './activation-service/db.ts'
import { isoDay } from './dates.ts'
import { VendorError } from './errors.ts'
import type { LicenseSpec } from './issue.ts'

/** Long enough to set up, invite a team and hold real meetings; short enough to decide. */
export const EVALUATION_DAYS = 30
/** Enough for a pilot team; a larger trial is a sale with a short subscription. */
export const EVALUATION_LIMITS = { rooms: 2, participantsPerRoom: 10, internalUsers: 25 }
const MAX_DAYS = 90
const DAY = 86_400

export interface EvaluationRequest {
  licensee: { name: string; taxId?: string | undefined }
  /** Defaults to EVALUATION_DAYS. */
  days?: number | undefined
  /** Each limit defaults to EVALUATION_LIMITS'. */
  limits?: Partial<LicenseSpec['limits']>
  /** Defaults to every feature: an evaluation shows the whole product. */
  features?: Feature[] | undefined
}

/**
 * evaluationSpec returns the LicenseSpec of an evaluation key issued at `now` (unix seconds): a
 * subscription ending `days` days later. Throws VendorError bad_spec for a term outside 1..90 days.
 */
export function evaluationSpec(request: EvaluationRequest, now: number): LicenseSpec {
  const days = request.days ?? EVALUATION_DAYS
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) {
    throw new VendorError('bad_spec', `an evaluation lasts 1 to ${MAX_DAYS} days (got ${days}): for longer, issue a subscription`)
  }
  return {
    licensee: request.licensee,
    plan: 'Evaluation',
    limits: { ...EVALUATION_LIMITS, ...request.limits },
    features: request.features?.length ? request.features : [...FEATURES],
    term: 'subscription',
    termEnd: now + days * DAY,
    kind: 'evaluation',
  }
}

/**
 * checkFirstEvaluation throws VendorError evaluation_issued when `licensee` (case and spacing
 * ignored) already received an evaluation key, naming it, unless `force`.
 */
export function checkFirstEvaluation(store: VendorStore, licensee: string, force: boolean): void {
  if (force) return
  const earlier = store.licenses.evaluationsOf(licensee)[0]
  if (!earlier) return
  throw new VendorError(
    'evaluation_issued',
    `${earlier.licensee} already received evaluation key ${earlier.id} on ${isoDay(earlier.issuedAt)}: ` +
      'sell them a license, or add --force to issue a second evaluation',
  )
}
