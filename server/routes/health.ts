import type { FastifyInstance } from 'fastify'
import { VERSION } from '../version.ts'
import { replies } from './common-schemas.ts'
import { HealthReply } from './ops-schemas.ts'

export default async function healthRoutes(app: FastifyInstance): Promise<void> {
  // The version lets `veche update` tell the new release answering from the old one.
  app.get('/healthz', { schema: { response: replies({ 200: HealthReply }) } }, async () => ({ status: 'ok', version: VERSION }))
}
