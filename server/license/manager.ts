// Owns the appliance's license: its current evaluated state that the server and the CLI read, and
// the checks of every change (activation online and offline, renewal, update-package licenses).
// Storing a checked change is services/license.ts's, so a refused key or certificate leaves the
// installed license as it was.
import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { requestActivation } from '../../license-keys/activation-client.ts'
import { PRODUCT, type ActivationRequest, type LicenseClaims } from '../../license-keys/claims.ts'
import { LicenseError } from '../../license-keys/errors.ts'
import { matchFingerprint, type Fingerprint } from '../../license-keys/fingerprint.ts'
import type { Keyring } from '../../license-keys/keyring.ts'
import { normalizeToken, verifyToken } from '../../license-keys/verify.ts'
import type { LicenseRepository, StoredLicense, StoredUpdatePackage } from '../db/license-repository.ts'
import { BUY, cachedVerifier, evaluateLicense, type LicenseState, type TokenVerifier } from './evaluate.ts'

/** A change to the installed license, as an owner gives it (routes and CLI): text still to verify. */
export type LicenseChange =
  /** Activate a key online: one handshake with the vendor. */
  | { kind: 'activate'; key: string }
  /** Complete the pending offline activation with the vendor's certificate. */
  | { kind: 'certificate'; certificate: string }
  /** A renewed key for the activated license (no re-activation). */
  | { kind: 'renewedKey'; key: string }
  | { kind: 'updatePackage'; token: string }

/** A change verify() accepted: what to store, and what the store must still match when it writes. */
export type VerifiedChange =
  /** pendingNonce: the offline request this answers, which must still be the pending one. */
  | { kind: 'activation'; license: Omit<StoredLicense, 'installedAt'>; pendingNonce?: string }
  | { kind: 'renewedKey'; licenseId: string; licenseKey: string }
  | { kind: 'updatePackage'; licenseId: string; updatePackage: StoredUpdatePackage }

export interface LicenseManagerOptions {
  repo: LicenseRepository
  keyring: Keyring
  readFingerprint: () => Fingerprint
  activationUrl: string
  version: string
  /** Unix seconds; tests turn the clock. */
  clock?: () => number
}

const unixNow = (): number => Math.floor(Date.now() / 1000)
const date = (unix: number): string => new Date(unix * 1000).toISOString().slice(0, 10)

export class LicenseManager {
  readonly #o: LicenseManagerOptions
  readonly #verify: TokenVerifier
  readonly #clock: () => number
  #state: LicenseState | undefined

  constructor(options: LicenseManagerOptions) {
    this.#o = options
    this.#clock = options.clock ?? unixNow
    this.#verify = cachedVerifier(options.keyring, this.#clock)
  }

  /** state is the latest evaluation; call refresh() first at least once. */
  get state(): LicenseState {
    if (!this.#state) throw new Error('LicenseManager.refresh() has not run yet')
    return this.#state
  }

  /** refresh re-evaluates the license offline and moves the recorded clock forward. */
  async refresh(): Promise<LicenseState> {
    const now = this.#clock()
    const { repo } = this.#o
    const [stored, updatePackages, lastSeen] = await Promise.all([repo.get(), repo.updatePackages(), repo.lastSeen()])
    const state = await evaluateLicense({ stored, updatePackages, verify: this.#verify, fingerprint: this.#o.readFingerprint(), now, lastSeen })
    if (state.problem?.code !== 'clock_rollback') await repo.advanceClock(now)
    this.#state = state
    return state
  }

  async #verifyKey(keyText: string): Promise<{ key: string; claims: LicenseClaims }> {
    const key = normalizeToken(keyText)
    const claims = await verifyToken('license', key, this.#o.keyring, { now: this.#clock() })
    if (claims.term === 'subscription' && claims.termEnd !== undefined && claims.termEnd <= this.#clock()) {
      throw new LicenseError(
        'expired',
        claims.kind === 'evaluation'
          ? `this evaluation key ended on ${date(claims.termEnd)}: ${BUY}`
          : `this subscription key ended on ${date(claims.termEnd)}: ask the vendor for a renewed key`,
      )
    }
    return { key, claims }
  }

  #request(key: string, nonce: string, fingerprint: Fingerprint): ActivationRequest {
    return { licenseKey: key, fingerprint, nonce, hostname: hostname(), product: PRODUCT, version: this.#o.version }
  }

  /** #activation checks a certificate against what was asked; returns what to store. */
  async #activation(key: string, claims: LicenseClaims, certificateText: string, nonce: string): Promise<Omit<StoredLicense, 'installedAt'>> {
    const certificate = normalizeToken(certificateText)
    const cert = await verifyToken('activation', certificate, this.#o.keyring, { now: this.#clock() })
    if (cert.sub !== claims.sub) {
      throw new LicenseError('wrong_license', `the activation certificate is for ${cert.sub}, not for this key's ${claims.sub}`)
    }
    if (cert.nonce !== nonce) {
      throw new LicenseError('nonce_mismatch', 'the activation certificate answers a different activation request (an old or copied certificate): activate again')
    }
    const match = matchFingerprint(cert.fingerprint, this.#o.readFingerprint())
    if (!match.ok) {
      throw new LicenseError('fingerprint_mismatch', `the activation certificate is for another machine (differs in: ${match.changed.join(', ')}): activate on this machine`)
    }
    return { licenseId: claims.sub, licenseKey: key, certificate, activatedAt: cert.activatedAt }
  }

  /** createOfflineRequest verifies the key and returns the request to carry to the vendor; remembers its nonce. */
  async createOfflineRequest(keyText: string): Promise<ActivationRequest> {
    const { key, claims } = await this.#verifyKey(keyText)
    const nonce = randomBytes(24).toString('base64url')
    await this.#o.repo.savePending({ licenseId: claims.sub, licenseKey: key, nonce })
    return this.#request(key, nonce, this.#o.readFingerprint())
  }

  /**
   * verify checks a license change completely (signatures, the vendor's online handshake, the
   * machine, the installed license it belongs to) and returns what to store; it stores nothing.
   * services/license.ts stores the result in one transaction. Throws LicenseError naming the fix.
   */
  async verify(change: LicenseChange): Promise<VerifiedChange> {
    switch (change.kind) {
      case 'activate': {
        const { key, claims } = await this.#verifyKey(change.key)
        const nonce = randomBytes(24).toString('base64url')
        const certificate = await requestActivation(this.#o.activationUrl, this.#request(key, nonce, this.#o.readFingerprint()))
        return { kind: 'activation', license: await this.#activation(key, claims, certificate, nonce) }
      }
      case 'certificate': {
        const pending = await this.#o.repo.pending()
        if (!pending) {
          throw new LicenseError('activation_failed', 'no offline activation is pending here: start with `veche activate <key> --offline --out request.json`')
        }
        const { key, claims } = await this.#verifyKey(pending.licenseKey)
        return { kind: 'activation', license: await this.#activation(key, claims, change.certificate, pending.nonce), pendingNonce: pending.nonce }
      }
      case 'renewedKey': {
        const stored = await this.#activated('`veche activate <key>`')
        const key = normalizeToken(change.key)
        const claims = await verifyToken('license', key, this.#o.keyring, { now: this.#clock() })
        const installed = await this.#verify('license', stored.licenseKey).catch(() => undefined)
        if (claims.sub !== stored.licenseId) {
          throw new LicenseError('wrong_license', `this key is for ${claims.sub}, but the activated license is ${stored.licenseId}: activate it with \`veche activate\``)
        }
        if (installed && claims.iat < installed.iat) {
          throw new LicenseError('wrong_license', `this key was issued ${date(claims.iat)}, before the installed one (${date(installed.iat)}): install the newest key`)
        }
        return { kind: 'renewedKey', licenseId: claims.sub, licenseKey: key }
      }
      case 'updatePackage': {
        const stored = await this.#activated('`veche activate <key>` first')
        const token = normalizeToken(change.token)
        const claims = await verifyToken('updatePackage', token, this.#o.keyring, { now: this.#clock() })
        if (claims.sub !== stored.licenseId) {
          throw new LicenseError('wrong_license', `this update-package license is for ${claims.sub}, but the activated license is ${stored.licenseId}`)
        }
        return { kind: 'updatePackage', licenseId: claims.sub, updatePackage: { jti: claims.jti, licenseId: claims.sub, token, updatesUntil: claims.updatesUntil } }
      }
    }
  }

  async #activated(fix: string): Promise<StoredLicense> {
    const stored = await this.#o.repo.get()
    if (!stored) throw new LicenseError('activation_failed', `no license is activated yet: use ${fix}`)
    return stored
  }
}
