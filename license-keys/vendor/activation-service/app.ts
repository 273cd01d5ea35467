// Builds the activation service the vendor runs: POST /v1/activations answers an appliance's
// activation request with a certificate, or a refusal whose message the appliance shows as is.
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify'
import type { ActivationErrorCode } from '../../claims.ts'
import type { Keyring } from '../../keyring.ts'
import { VendorError } from '../errors.ts'
import type { SigningKey } from '../signing-keys.ts'
import { createVendorStore, openVendorDatabase } from './db.ts'
import { ActivationRefused, decideActivation } from './decide.ts'

export interface ActivationServiceOptions {
  dbFile: string
  /** Verifies the license keys appliances send. */
  keyring: Keyring
  /** Signs the certificates; the appliances' keyring must trust it. */
  activationKey: SigningKey
  logger?: FastifyBaseLogger
}

const STATUS: Record<ActivationErrorCode, number> = {
  bad_request: 400,
  invalid_license: 400,
  unknown_license: 404,
  revoked: 403,
  activation_limit: 409,
}

/** A license key is at most 16 KiB (claims.ts); the rest of a request is small. */
const BODY_LIMIT = 32 * 1024

function sendError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send({ error: { code, message } })
}

/**
 * buildActivationService opens (and migrates) the vendor database and returns the service, not yet
 * listening; closing it closes the database. Throws VendorError key_untrusted when `keyring` does not
 * hold the activation key's public half: every certificate would be refused by the appliances.
 */
export function buildActivationService(options: ActivationServiceOptions): FastifyInstance {
  const { keyring, activationKey } = options
  const trusted = keyring.get(activationKey.kid)
  if (!trusted || trusted.purpose !== 'activation' || trusted.jwk.x !== activationKey.trusted.jwk.x) {
    throw new VendorError(
      'key_untrusted',
      `activation key ${activationKey.kid} is not a trusted activation key in license-keys/trusted-keys.json, so appliances would refuse its certificates: ` +
        'add its entry (printed by `veche-vendor keys create`) and ship it in a release first',
    )
  }
  const db = openVendorDatabase(options.dbFile)
  const store = createVendorStore(db)
  const app = Fastify({ ...(options.logger ? { loggerInstance: options.logger } : { logger: false }), bodyLimit: BODY_LIMIT })
  app.addHook('onClose', async () => db.close())

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500
    // Fastify's own 4xx (unparsable JSON, wrong content type, body too large) are the client's mistake.
    if (status < 500) return sendError(reply, status, 'bad_request', error.message)
    request.log.error({ err: error }, 'request failed')
    return sendError(reply, 500, 'internal', 'internal error; the service log has details')
  })
  app.setNotFoundHandler((request, reply) => sendError(reply, 404, 'not_found', `no route ${request.method} ${request.url}`))

  app.get('/healthz', async () => ({ ok: true }))

  app.post('/v1/activations', async (request, reply) => {
    try {
      const decision = await decideActivation(store, request.body, keyring, activationKey)
      request.log.info(
        { licenseId: decision.license.sub, activationId: decision.activation.id, reused: decision.reused, hostname: decision.activation.hostname },
        decision.reused ? 'machine re-activated' : 'machine activated',
      )
      return { certificate: decision.certificate }
    } catch (err) {
      if (!(err instanceof ActivationRefused)) throw err
      request.log.info({ code: err.code, reason: err.message }, 'activation refused')
      return sendError(reply, STATUS[err.code], err.code, err.message)
    }
  })
  return app
}
