// Decorates the app with the counters /metrics reports, and counts media worker deaths.
import fp from 'fastify-plugin'
import { OpsCounters } from './counters.ts'

declare module 'fastify' {
  interface FastifyInstance {
    opsCounters: OpsCounters
  }
}

export default fp(
  async (app) => {
    const counters = new OpsCounters()
    app.workerPool.on('workerDied', () => counters.workerDied())
    app.decorate('opsCounters', counters)
  },
  { name: 'metrics', dependencies: ['sfu'] },
)
