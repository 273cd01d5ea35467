// The activation decision, shared word for word by the online service (POST /v1/activations) and the
// offline path (`veche-vendor activation certify`): may this machine run this license, and if so the
// certificate that says so.
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { ActivationRequest, type ActivationErrorCode, type LicenseClaims } from '../../claims.ts'
import { LicenseError } from '../../errors.ts'
import type { Keyring } from '../../keyring.ts'
import { verifyToken } from '../../verify.ts'
import { isoDay, nowSeconds } from '../dates.ts'
import { issueActivationCertificate } from '../issue.ts'
import type { SigningKey } from '../signing-keys.ts'
import type { Activation, VendorStore } from './db.ts'

/** A refusal the appliance shows its administrator: a stable code and a message naming the way out. */
export class ActivationRefused extends Error {
  override name = 'ActivationRefused'
  readonly code: ActivationErrorCode
  constructor(code: ActivationErrorCode, message: string) {
    super(message)
    this.code = code
  }
}

export interface ActivationDecision {
  certificate: string
  activation: Activation
  /** True when the machine already held an activation of this license (re-activation). */
  reused: boolean
  license: LicenseClaims
}

const checkRequest = TypeCompiler.Compile(ActivationRequest)

/** A machine is recognized by either of these; fingerprint.ts's matchFingerprint needs one of them too. */
const IDENTITY = ['machineId', 'productUuid'] as const

/** parseActivationRequest checks an untrusted body or request file. Throws ActivationRefused bad_request. */
export function parseActivationRequest(body: unknown): ActivationRequest {
  if (!checkRequest.Check(body)) {
    const e = checkRequest.Errors(body).First()
    throw new ActivationRefused('bad_request', `not an activation request: ${e?.path || 'body'} ${e?.message ?? 'is invalid'}`)
  }
  if (!IDENTITY.some((c) => body.fingerprint[c])) {
    // A certificate without either would never match the machine again: refuse now, not at every start.
    throw new ActivationRefused(
      'bad_request',
      'the fingerprint has neither machineId nor productUuid, so the machine cannot be recognized: make /etc/machine-id readable and activate again',
    )
  }
  return body
}

function describe(a: Activation): string {
  return `${a.id} on host '${a.hostname}' since ${isoDay(a.activatedAt)}`
}

/**
 * decideActivation verifies the request's license key, applies the vendor's rules and returns a new
 * certificate answering the request's nonce. Same machine (machine-id or product UUID hash) as an
 * unreleased activation: that activation is reused with the new fingerprint. Otherwise a free slot
 * is taken. A license not yet in the vendor database is recorded on sight, unless `requireRecorded`
 * (the offline path: a license the vendor never recorded could never be revoked or counted), which
 * refuses it. Throws ActivationRefused: bad_request, invalid_license (also for an expired
 * subscription), unknown_license, revoked, activation_limit.
 */
export async function decideActivation(
  store: VendorStore,
  body: unknown,
  keyring: Keyring,
  activationKey: SigningKey,
  now: number = nowSeconds(),
  { requireRecorded = false }: { requireRecorded?: boolean } = {},
): Promise<ActivationDecision> {
  const request = parseActivationRequest(body)
  let license: LicenseClaims
  try {
    license = await verifyToken('license', request.licenseKey, keyring, { now })
  } catch (err) {
    if (err instanceof LicenseError) throw new ActivationRefused('invalid_license', err.message)
    throw err
  }
  if (license.termEnd !== undefined && license.termEnd <= now) {
    // The appliance would refuse to run it; taking a slot for it would only make the renewal harder.
    throw new ActivationRefused('invalid_license', `license ${license.sub} expired on ${isoDay(license.termEnd - 1)}: install the renewed key from the vendor`)
  }
  const machine = { fingerprint: request.fingerprint, hostname: request.hostname, version: request.version }

  // Synchronous and under the write lock: two machines racing for the last slot cannot both get it.
  const { activation, reused } = store.transaction(() => {
    const revokedAt = store.licenses.revokedAt(license.sub)
    if (revokedAt !== undefined) {
      throw new ActivationRefused('revoked', `license ${license.sub} was revoked on ${isoDay(revokedAt)}: contact the vendor`)
    }
    if (requireRecorded && !store.licenses.get(license.sub)) {
      throw new ActivationRefused(
        'unknown_license',
        `license ${license.sub} (${license.licensee.name}) is not recorded in this vendor database, so it could never be revoked or counted: ` +
          'pass the database that issued it with --db, or record it here first with `veche-vendor license record <key file>`',
      )
    }
    store.licenses.recordSeen(license, now)
    const same = store.activations.findActiveForMachine(license.sub, machine)
    if (same) return { activation: store.activations.renew(same.id, machine, now), reused: true }
    const active = store.activations.listActive(license.sub)
    if (active.length >= license.activations) {
      const shown = active.slice(0, 5).map(describe).join('; ')
      throw new ActivationRefused(
        'activation_limit',
        `license ${license.sub} allows ${license.activations} machine(s) and ${active.length} already hold it (${shown}${active.length > 5 ? '; ...' : ''}): ` +
          'to move it to this machine, ask the vendor to release an activation (veche-vendor activation release <activationId>)',
      )
    }
    return { activation: store.activations.create(license.sub, machine, now), reused: false }
  })

  const { token } = await issueActivationCertificate(
    { sub: license.sub, activationId: activation.id, fingerprint: request.fingerprint, activatedAt: activation.activatedAt, nonce: request.nonce },
    activationKey,
    { now },
  )
  return { certificate: token, activation, reused, license }
}
