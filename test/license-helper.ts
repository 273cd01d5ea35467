// Issues real licenses and activation certificates with the vendor's test keys (trusted only in a
// development checkout), for tests that need a licensed appliance.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { LicenseClaims } from '../license-keys/claims.ts'
import { readFingerprint, type Fingerprint } from '../license-keys/fingerprint.ts'
import { issueActivationCertificate, issueLicense, type LicenseSpec } from '../license-keys/vendor/issue.ts'
import { openDatabase } from '../server/db/database.ts'
import { createDb } from '../server/db/engine.ts'
import { createLicenseRepository } from '../server/db/license-repository.ts'
import { activationKey, licenseKey } from './fixtures/vendor-keys.ts'
import { VECHE } from './server-process.ts'

export { activationKey, licenseKey }

/** A plan with room to spare, so tests that are not about limits never meet one. */
export const GENEROUS: LicenseSpec = {
  licensee: { name: 'ООО «Ромашка»', taxId: '7701234567' },
  plan: 'Business',
  limits: { rooms: 10, participantsPerRoom: 10, internalUsers: 50 },
  features: ['recording'],
  term: 'perpetual',
}

/** issueTestLicense returns a license key signed with the test license key. */
export async function issueTestLicense(spec: Partial<LicenseSpec> = {}, now?: number): Promise<{ token: string; claims: LicenseClaims }> {
  return issueLicense({ ...structuredClone(GENEROUS), ...spec }, licenseKey(), now === undefined ? {} : { now })
}

/** certify returns an activation certificate for `licenseId` on `fingerprint` (this machine by default). */
export async function certify(licenseId: string, options: { fingerprint?: Fingerprint; nonce?: string; now?: number } = {}): Promise<string> {
  const now = options.now ?? Math.floor(Date.now() / 1000)
  const { token } = await issueActivationCertificate(
    {
      sub: licenseId,
      activationId: `act_${randomBytes(8).toString('hex')}`,
      fingerprint: (options.fingerprint ?? readFingerprint()) as Record<string, string>,
      activatedAt: now,
      nonce: options.nonce ?? randomBytes(24).toString('base64url'),
    },
    activationKey(),
    { now },
  )
  return token
}

/** installTestLicense stores an activated license in the app's database, as `veche activate` would. */
export async function installTestLicense(app: FastifyInstance, spec: Partial<LicenseSpec> = {}): Promise<LicenseClaims> {
  const { token, claims } = await issueTestLicense(spec)
  const certificate = await certify(claims.sub)
  await createLicenseRepository(app.dataLayer).saveActivated({ licenseId: claims.sub, licenseKey: token, certificate, activatedAt: claims.iat })
  const state = await app.license.refresh()
  if (state.status !== 'active') throw new Error(`test license not active: ${state.problem?.message}`)
  return claims
}

export interface PreparedOwner {
  email: string
  name: string
  password: string
}

/**
 * prepareDataDir makes `dataDir` what an admin leaves before `veche serve`: the owner created with
 * `veche admin create-owner` (the real CLI) and an activated license with `spec` in the database.
 */
export async function prepareDataDir(dataDir: string, owner: PreparedOwner, spec: Partial<LicenseSpec> = {}): Promise<LicenseClaims> {
  const args = ['admin', 'create-owner', '--email', owner.email, '--name', owner.name, '--password-stdin', '--set', `data.dir=${dataDir}`]
  const created = spawnSync(VECHE, args, { input: `${owner.password}\n`, encoding: 'utf8' })
  if (created.status !== 0) throw new Error(`create-owner failed (${created.status}): ${created.stderr}`)
  return seedActivatedLicense(dataDir, { spec })
}

export interface SeedOptions {
  spec?: Partial<LicenseSpec>
  /** When the key was issued (unix seconds; default now). */
  issuedAt?: number
  /** The activation's time as stored (default: the key's issue time). */
  activatedAt?: number
  /** The machine the certificate is for (default: this one). */
  fingerprint?: Record<string, string>
}

/**
 * seedActivatedLicense stores an activated test license in the SQLite database of `dataDir`
 * (created and migrated when missing), as `veche activate` would leave it; returns its claims.
 */
export async function seedActivatedLicense(dataDir: string, options: SeedOptions = {}): Promise<LicenseClaims> {
  const { token, claims } = await issueTestLicense(options.spec, options.issuedAt)
  const certificate = await certify(claims.sub, options.fingerprint ? { fingerprint: options.fingerprint } : {})
  const db = openDatabase(join(dataDir, 'veche.db'))
  try {
    const repo = createLicenseRepository(createDb({ url: '', password: '', passwordFile: '' }, db))
    await repo.saveActivated({ licenseId: claims.sub, licenseKey: token, certificate, activatedAt: options.activatedAt ?? claims.iat })
  } finally {
    db.close()
  }
  return claims
}
