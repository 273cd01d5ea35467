// The license as the web client sees it, and the owner's activation and renewal from the browser.
import type { FastifyInstance, FastifyReply } from 'fastify'
import { licenseKindOf } from '../../license-keys/claims.ts'
import { LicenseError } from '../../license-keys/errors.ts'
import { sendError } from '../http-errors.ts'
import type { LicenseState } from '../license/evaluate.ts'
import { installLicense } from '../services/license.ts'
import { VERSION } from '../version.ts'
import { replies } from './common-schemas.ts'
import { KeyBody, LicenseInfo, LicenseKindReply } from './license-schemas.ts'

export default async function licenseRoutes(app: FastifyInstance): Promise<void> {
  const full = async (s: LicenseState) => ({
    status: s.status,
    kind: licenseKindOf(s.claims) ?? null,
    problem: s.problem ?? null,
    warnings: s.warnings,
    features: s.status === 'active' ? (s.claims?.features ?? []) : [],
    licenseId: s.claims?.sub ?? null,
    licensee: s.claims?.licensee ?? null,
    plan: s.claims?.plan ?? null,
    limits: s.claims?.limits ?? null,
    usage: { rooms: app.roomRegistry.size, internalUsers: await app.usersRepository.count() },
    term: s.claims?.term ?? null,
    termEnd: s.claims?.termEnd ?? null,
    updatesUntil: s.updatesUntil ?? null,
    activations: s.claims?.activations ?? null,
    activation: s.activation
      ? {
          activationId: s.activation.activationId,
          activatedAt: s.activation.activatedAt,
          fingerprintOk: s.activation.fingerprint.ok,
          fingerprintChanged: s.activation.fingerprint.changed,
        }
      : null,
    version: VERSION,
    checkedAt: s.checkedAt,
  })

  // Public: every page, the sign-in and guests' meeting pages too, shows a development license's banner.
  app.get('/api/license/kind', { schema: { response: replies({ 200: LicenseKindReply }) } }, async () => ({ kind: licenseKindOf(app.license.state.claims) ?? null }))

  app.get('/api/license', { preHandler: app.requireUser, schema: { response: replies({ 200: LicenseInfo }) } }, async (request) => {
    const s = app.license.state
    if (request.user!.role === 'member') {
      return { status: s.status, problem: s.problem ?? null, features: s.status === 'active' ? (s.claims?.features ?? []) : [] }
    }
    return full(s)
  })

  const licenseFailure = (reply: FastifyReply, err: unknown): FastifyReply => {
    if (!(err instanceof LicenseError)) throw err
    // The client reads `network` as "Veche itself is unreachable", so the vendor being unreachable gets its own code.
    if (err.code === 'network') return sendError(reply, 502, 'activation_unreachable', err.message)
    return sendError(reply, err.code === 'activation_failed' ? 409 : 400, err.code, err.message)
  }

  const owner = app.requireRole('owner')
  app.post<{ Body: KeyBody }>('/api/license/activate', { preHandler: owner, schema: { body: KeyBody, response: replies({ 200: LicenseInfo }) } }, async (request, reply) => {
    try {
      const state = await installLicense(app, { kind: 'activate', key: request.body.key })
      request.log.info({ license: state.claims?.sub, status: state.status }, 'license activated')
      return full(state)
    } catch (err) {
      return licenseFailure(reply, err)
    }
  })

  app.post<{ Body: KeyBody }>('/api/license/renew', { preHandler: owner, schema: { body: KeyBody, response: replies({ 200: LicenseInfo }) } }, async (request, reply) => {
    try {
      const state = await installLicense(app, { kind: 'renewedKey', key: request.body.key })
      request.log.info({ license: state.claims?.sub, status: state.status }, 'renewed license key installed')
      return full(state)
    } catch (err) {
      return licenseFailure(reply, err)
    }
  })
}
