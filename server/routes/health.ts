import type { FastifyInstance } from 'fastify'
import { VERSION } from '../version.ts'

export default async function healthRoutes(app: FastifyInstance): Promise<void> {
  // The version lets `veche update` tell the new release answering from the old one.
  app.get('/healthz', async () => ({ status: 'ok', version: VERSION }))
}
