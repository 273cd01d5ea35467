// Operations endpoints: /readyz (may this server take meetings now?) and /metrics (Prometheus).
// /healthz (routes/health.ts) only says the process answers; a load balancer or monitor wants /readyz.
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { licenseKindOf, type LicenseKind } from '../../license-keys/claims.ts'
import { DEVELOPMENT_NOTE, refuseMeeting } from '../license/policy.ts'
import { metricsAccess } from '../metrics/access.ts'
import { renderMetrics } from '../metrics/collect.ts'
import { PROMETHEUS_CONTENT_TYPE } from '../metrics/prometheus-text.ts'
import { VERSION } from '../version.ts'
import { replies } from './common-schemas.ts'
import { ReadyReply } from './ops-schemas.ts'

export interface OpsRoutesOptions {
  /** config metrics.token: '' serves /metrics to loopback only. */
  metricsToken: string
}

interface Check {
  ok: boolean
  message?: string
}

export default async function opsRoutes(app: FastifyInstance, { metricsToken }: OpsRoutesOptions): Promise<void> {
  // Through the data layer, as every request goes: on PostgreSQL this also tells a pool that cannot reconnect.
  const database = async (): Promise<Check> => {
    try {
      await sql`SELECT 1`.execute(app.dataLayer.db)
      return { ok: true }
    } catch (err) {
      return { ok: false, message: `the database (${app.databaseName}) does not answer: ${(err as Error).message}` }
    }
  }

  const media = (): Check & { workers: number; alive: number } => {
    // A killed worker is dropped from the pool when its 'died' event arrives; `died` covers the moment before.
    const alive = app.workerPool.live().filter((w) => !w.worker.died && !w.worker.closed).length
    const workers = app.workerPool.size
    if (alive > 0) return { ok: true, workers, alive }
    return { ok: false, workers, alive, message: 'no media worker is running (a replacement is being started; the server log says why it stopped)' }
  }

  // Setup mode (no activated license) is "alive but not ready for meetings": 503, with the reason.
  const license = (): Check & { status: string; kind?: LicenseKind } => {
    const state = app.license.state
    const kind = licenseKindOf(state.claims)
    const refused = refuseMeeting(state)
    // Ready, but a monitor (and whoever reads it) must see a development license for what it is.
    if (!refused && kind === 'development') return { ok: true, status: state.status, kind, message: DEVELOPMENT_NOTE }
    if (!refused) return { ok: true, status: state.status, ...(kind ? { kind } : {}) }
    const fix = state.status === 'unlicensed' ? ' (setup mode: activate with `veche activate <key>`)' : ''
    return { ok: false, status: state.status, message: `${refused.message}${fix}` }
  }

  app.get('/readyz', { schema: { response: replies({ 200: ReadyReply, 503: ReadyReply }) } }, async (_request, reply) => {
    const checks = { database: await database(), media: media(), license: license() }
    const failing = Object.entries(checks).filter(([, c]) => !c.ok).map(([name]) => name)
    return reply.code(failing.length ? 503 : 200).send({ status: failing.length ? 'not_ready' : 'ready', version: VERSION, failing, checks })
  })

  // Prometheus text, not JSON: only its refusals have a schema.
  app.get('/metrics', { preHandler: metricsAccess(metricsToken), schema: { response: replies({}) } }, async (_request, reply) => {
    const body = await renderMetrics({
      registry: app.roomRegistry,
      pool: app.workerPool,
      licenseStatus: () => app.license.state.status,
      licenseKind: () => licenseKindOf(app.license.state.claims),
      counters: app.opsCounters,
      version: VERSION,
    })
    return reply.type(PROMETHEUS_CONTENT_TYPE).send(body)
  })
}
