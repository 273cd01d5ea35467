// Offers the local CA certificate so employees' machines can trust the appliance's https.
import type { FastifyInstance } from 'fastify'
import { sendError } from '../http-errors.ts'
import { replies } from './common-schemas.ts'

export interface CaRoutesOptions {
  caCert: string | undefined
}

export default async function caRoutes(app: FastifyInstance, { caCert }: CaRoutesOptions): Promise<void> {
  // A certificate file, not JSON: only the refusal has a schema.
  app.get('/ca.crt', { schema: { response: replies({}) } }, async (_request, reply) => {
    if (!caCert) {
      return sendError(reply, 404, 'no_local_ca', 'this server uses a certificate from your organisation, not its own CA')
    }
    return reply
      .header('content-type', 'application/x-x509-ca-cert')
      .header('content-disposition', 'attachment; filename="veche-ca.crt"')
      .send(caCert)
  })
}
