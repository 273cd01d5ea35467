// Decides what the installed license allows right now, offline: the key and the activation
// certificate verified, the machine matched, the clock checked, the term evaluated.
import type { LicenseClaims } from '../../license-keys/claims.ts'
import { LicenseError } from '../../license-keys/errors.ts'
import { matchFingerprint, type Fingerprint, type FingerprintMatch } from '../../license-keys/fingerprint.ts'
import type { Keyring } from '../../license-keys/keyring.ts'
import { CLOCK_LEEWAY_SECONDS, verifyToken, type ClaimsOf } from '../../license-keys/verify.ts'
import type { StoredLicense, StoredUpdatePackage } from '../db/license-repository.ts'

export type LicenseStatus = 'unlicensed' | 'active' | 'suspended' | 'invalid'

export interface LicenseProblem {
  code: string
  message: string
}

export interface LicenseWarning {
  /** evaluation_ending: the same stages, for an evaluation key (the fix is buying, not renewing). */
  code: 'term_ending' | 'evaluation_ending'
  daysLeft: number
  message: string
}

export interface LicenseState {
  status: LicenseStatus
  /** Why meetings are not allowed; undefined when active. */
  problem: LicenseProblem | undefined
  claims: LicenseClaims | undefined
  activation: { activationId: string; activatedAt: number; fingerprint: FingerprintMatch } | undefined
  /** Effective updates-until (unix seconds): the key's, or a later update-package license's. */
  updatesUntil: number | undefined
  warnings: LicenseWarning[]
  /** Unix seconds of this evaluation. */
  checkedAt: number
}

/** Verifies tokens once; the answer for the same token, keyring and clock stays the same. */
export type TokenVerifier = <K extends 'license' | 'activation' | 'updatePackage'>(kind: K, token: string) => Promise<ClaimsOf<K>>

export function cachedVerifier(keyring: Keyring, clock: () => number): TokenVerifier {
  const cache = new Map<string, unknown>()
  return async (kind, token) => {
    const key = `${kind}:${token}`
    if (cache.has(key)) return cache.get(key) as never
    // Only successes are cached: a token refused for a clock that was wrong is tried again later.
    const claims = await verifyToken(kind, token, keyring, { now: clock() })
    cache.set(key, claims)
    return claims
  }
}

export interface EvaluationInput {
  stored: StoredLicense | undefined
  updatePackages: StoredUpdatePackage[]
  verify: TokenVerifier
  fingerprint: Fingerprint
  /** Unix seconds. */
  now: number
  /** The latest unix second this server recorded before now. */
  lastSeen: number | undefined
}

const DAY = 86_400
/** What an evaluation's end tells the owner to do; activating a bought key keeps everything set up. */
export const BUY = 'buy a license key (https://veche.example/buy) and activate it with `veche activate <key>` or on the License page; rooms, users and settings stay'
const WARN_DAYS = [1, 7, 30]
const date = (unix: number): string => new Date(unix * 1000).toISOString().slice(0, 10)
const time = (unix: number): string => new Date(unix * 1000).toISOString().replace('.000Z', 'Z')

function state(status: LicenseStatus, now: number, fields: Partial<LicenseState> = {}): LicenseState {
  return { status, problem: undefined, claims: undefined, activation: undefined, updatesUntil: undefined, warnings: [], checkedAt: now, ...fields }
}

async function effectiveUpdatesUntil(claims: LicenseClaims, packages: StoredUpdatePackage[], verify: TokenVerifier): Promise<number> {
  let until = claims.updatesUntil
  for (const p of packages) {
    try {
      const c = await verify('updatePackage', p.token)
      if (c.sub === claims.sub) until = Math.max(until, c.updatesUntil)
    } catch {
      // A package that no longer verifies (e.g. its key was retired) simply does not count.
    }
  }
  return until
}

/** evaluateLicense never throws: every failure becomes a status with a problem that names the fix. */
export async function evaluateLicense(input: EvaluationInput): Promise<LicenseState> {
  const { stored, now } = input
  if (!stored) {
    return state('unlicensed', now, {
      problem: { code: 'no_license', message: 'no license is activated: the owner activates one with `veche activate <key>` or on the License page' },
    })
  }
  let claims: LicenseClaims
  let cert: ClaimsOf<'activation'>
  try {
    claims = await input.verify('license', stored.licenseKey)
    cert = await input.verify('activation', stored.certificate)
  } catch (err) {
    if (!(err instanceof LicenseError)) throw err
    return state('invalid', now, { problem: { code: err.code, message: `the installed license is not valid: ${err.message}` } })
  }
  const updatesUntil = await effectiveUpdatesUntil(claims, input.updatePackages, input.verify)
  if (cert.sub !== claims.sub) {
    return state('invalid', now, {
      claims,
      updatesUntil,
      problem: { code: 'wrong_license', message: `the activation certificate is for ${cert.sub}, not ${claims.sub}: activate again with \`veche activate\`` },
    })
  }
  const fingerprint = matchFingerprint(cert.fingerprint, input.fingerprint)
  const activation = { activationId: cert.activationId, activatedAt: cert.activatedAt, fingerprint }
  const known = { claims, activation, updatesUntil }
  if (!fingerprint.ok) {
    return state('invalid', now, {
      ...known,
      problem: {
        code: 'fingerprint_mismatch',
        message:
          `this license was activated on another machine (changed here: ${fingerprint.changed.join(', ')}): ` +
          'activate it on this machine with `veche activate <key>`; the vendor can release the old activation',
      },
    })
  }
  if (input.lastSeen !== undefined && now < input.lastSeen - CLOCK_LEEWAY_SECONDS) {
    return state('suspended', now, {
      ...known,
      problem: {
        code: 'clock_rollback',
        message:
          `the clock reads ${time(now)}, but this server already saw ${time(input.lastSeen)}: the clock was turned back. ` +
          'Set the correct time (e.g. `timedatectl set-ntp true`); meetings resume at the next license check',
      },
    })
  }
  if (claims.term === 'subscription' && claims.termEnd !== undefined) {
    const evaluation = claims.kind === 'evaluation'
    if (claims.termEnd <= now && evaluation) {
      return state('suspended', now, {
        ...known,
        problem: { code: 'evaluation_ended', message: `the evaluation ended on ${date(claims.termEnd)}: ${BUY}` },
      })
    }
    if (claims.termEnd <= now) {
      return state('suspended', now, {
        ...known,
        problem: {
          code: 'expired',
          message: `the subscription ended on ${date(claims.termEnd)}: install a renewed key with \`veche license install <file>\` (data and admin access are kept)`,
        },
      })
    }
    const daysLeft = Math.ceil((claims.termEnd - now) / DAY)
    const threshold = WARN_DAYS.find((d) => daysLeft <= d)
    if (threshold !== undefined) {
      const left = `${daysLeft} day${daysLeft === 1 ? '' : 's'} left`
      return state('active', now, {
        ...known,
        warnings: [
          evaluation
            ? { code: 'evaluation_ending', daysLeft, message: `the evaluation ends on ${date(claims.termEnd)} (${left}): ${BUY}` }
            : { code: 'term_ending', daysLeft, message: `the subscription ends on ${date(claims.termEnd)} (${left}): ask the vendor for a renewed key` },
        ],
      })
    }
  }
  return state('active', now, known)
}
