// Keeps the license state current for the app: evaluated at start, re-checked offline on an interval,
// and picked up within seconds when the CLI installs or activates a key in the database.
import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Feature } from '../../license-keys/claims.ts'
import { sendError } from '../http-errors.ts'
import { DEVELOPMENT_NOTE, refuseFeature } from '../license/policy.ts'
import type { Config } from '../../config/schema.ts'
import { createLicenseRepository } from '../db/license-repository.ts'
import { createLicenseManager, type LicenseOverrides } from '../license/create.ts'
import type { LicenseManager } from '../license/manager.ts'

declare module 'fastify' {
  interface FastifyInstance {
    license: LicenseManager
    /** preHandler factory for routes of a licensed feature: 403 feature_unlicensed without it. */
    requireFeature: (feature: Feature) => (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
}

export interface LicensePluginOptions {
  config: Config['license']
  overrides?: LicenseOverrides
}

/** How often the database is asked whether the CLI changed the license. */
const CHANGE_POLL_MS = 5_000

export default fp<LicensePluginOptions>(
  async (app, { config, overrides }) => {
    const manager = createLicenseManager(app.dataLayer, config, overrides)
    const repo = createLicenseRepository(app.dataLayer)
    const log = app.log.child({ component: 'license' })
    const report = (): void => {
      const s = manager.state
      const fields = { status: s.status, license: s.claims?.sub, problem: s.problem?.code, warnings: s.warnings.map((w) => w.message) }
      if (s.status === 'active' && s.claims?.kind === 'development') log.warn(fields, DEVELOPMENT_NOTE)
      else if (s.status === 'active') log.info(fields, 'license checked')
      else log.warn(fields, s.problem?.message ?? 'license not active')
    }
    await manager.refresh()
    report()

    // The CLI writes the license tables from another process; their change mark tells us.
    let seen = await repo.changeMark()
    let lastFull = Date.now()
    let running = false
    const tick = async (): Promise<void> => {
      if (running) return
      running = true
      try {
        const now = await repo.changeMark()
        const due = Date.now() - lastFull >= config.checkIntervalMinutes * 60_000
        if (now === seen && !due) return
        const before = manager.state.status
        seen = now
        lastFull = Date.now()
        await manager.refresh()
        if (manager.state.status !== before || !due) report()
      } catch (err) {
        log.error({ err: (err as Error).message }, 'license check failed')
      } finally {
        running = false
      }
    }
    const timer = setInterval(() => void tick(), CHANGE_POLL_MS)
    timer.unref()
    app.addHook('onClose', async () => clearInterval(timer))
    app.decorate('license', manager)
    app.decorate('requireFeature', (feature: Feature) => async (_request: FastifyRequest, reply: FastifyReply) => {
      const refused = refuseFeature(manager.state, feature)
      if (refused) return void sendError(reply, 403, refused.code, refused.message)
    })
  },
  { name: 'license', dependencies: ['database'] },
)
