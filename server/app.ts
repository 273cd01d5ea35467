// Builds the Fastify app: all wiring of plugins and routes in one place. Used by `veche serve` and tests.
import Fastify, { type FastifyInstance, type FastifyError } from 'fastify'
import websocket from '@fastify/websocket'
import type { Logger } from 'pino'
import { fileURLToPath } from 'node:url'
import type { Config } from '../config/schema.ts'
import { sendError } from './http-errors.ts'
import authPlugin from './plugins/auth.ts'
import databasePlugin from './plugins/database.ts'
import rateLimitPlugin from './plugins/rate-limit.ts'
import sameOriginPlugin from './plugins/same-origin.ts'
import restContractPlugin from './plugins/rest-contract.ts'
import securityHeadersPlugin from './plugins/security-headers.ts'
import licensePlugin from './plugins/license.ts'
import ldapPlugin from './plugins/ldap.ts'
import type { LicenseOverrides } from './license/create.ts'
import licenseRoutes from './routes/license.ts'
import sfuPlugin from './plugins/sfu.ts'
import recordingPlugin from './plugins/recording.ts'
import recordingsRoutes from './routes/recordings.ts'
import historyPlugin from './plugins/history.ts'
import historyRoutes from './routes/history.ts'
import authRoutes from './routes/auth.ts'
import authMethodsRoutes from './routes/auth-methods.ts'
import oidcRoutes from './routes/oidc.ts'
import caRoutes from './routes/ca.ts'
import healthRoutes from './routes/health.ts'
import metricsPlugin from './metrics/plugin.ts'
import clusterPlugin from './cluster/plugin.ts'
import opsRoutes from './routes/ops.ts'
import roomsRoutes from './routes/rooms.ts'
import invitationsRoutes from './routes/invitations.ts'
import setupRoutes from './routes/setup.ts'
import signalingRoutes from './routes/signaling.ts'
import usersRoutes from './routes/users.ts'
import webRoutes from './routes/web.ts'

export const WEB_ROOT = fileURLToPath(new URL('./web/dist/', import.meta.url))

/** Largest signaling message accepted; SDP-free mediasoup messages are a few KiB. */
export const MAX_SIGNALING_MESSAGE = 64 * 1024

export interface AppOptions {
  config: Config
  /** Absolute data folder (config.data.dir resolved). */
  dataDir: string
  logger: Logger
  /** Key and certificate; absent only for tests that use app.inject. */
  https?: { key: string; cert: string }
  caCert?: string | undefined
  /** Tests: a keyring, a fingerprint folder, a clock. */
  license?: LicenseOverrides
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config } = options
  const app = Fastify({
    loggerInstance: options.logger,
    ...(options.https ? { https: options.https } : {}),
    bodyLimit: 64 * 1024,
    // Only listed proxies may name the client's address (request.ip); anyone else's header is ignored.
    ...(config.server.trustedProxies.length > 0 ? { trustProxy: config.server.trustedProxies } : {}),
    // On shutdown rooms are already told; browsers' spare keep-alive and pre-connected sockets would
    // otherwise hold the exit until their header timeout (a minute).
    forceCloseConnections: true,
  }) as unknown as FastifyInstance // The https variant's server type differs; routes never touch it.

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) return sendError(reply, 400, 'bad_request', error.message)
    // PostgreSQL away (stopped, restarting, cut off): not a bug; the pool reconnects when it is back.
    const away = app.databaseAway?.(error)
    if (away) {
      request.log.warn({ err: error.message }, away)
      return sendError(reply, 503, 'database_unavailable', away)
    }
    const status = error.statusCode ?? 500
    if (status < 500) return sendError(reply, status, (error.code ?? 'bad_request').toLowerCase(), error.message)
    request.log.error({ err: error }, 'request failed')
    return sendError(reply, 500, 'internal', 'internal error; the server log has details')
  })

  try {
    // First: it sees every route registered after it.
    await app.register(restContractPlugin)
    await app.register(securityHeadersPlugin)
    await app.register(databasePlugin, { dataDir: options.dataDir, database: config.database })
    await app.register(authPlugin, { sessionHours: config.auth.sessionHours })
    await app.register(rateLimitPlugin, {
      perAddressPerMinute: config.limits.perAddressPerMinute,
      perUserPerMinute: config.limits.perUserPerMinute,
    })
    await app.register(sameOriginPlugin, { publicUrl: config.server.publicUrl })
    await app.register(licensePlugin, { config: config.license, ...(options.license ? { overrides: options.license } : {}) })
    await app.register(ldapPlugin, { config: config.ldap })
    await app.register(sfuPlugin, { media: config.media, rooms: config.rooms })
    await app.register(metricsPlugin)
    await app.register(clusterPlugin, { config })
    await app.register(recordingPlugin, { dataDir: options.dataDir, recording: config.recording, streaming: config.streaming })
    await app.register(historyPlugin, { privacy: config.privacy })
    await app.register(websocket, {
      options: { maxPayload: MAX_SIGNALING_MESSAGE },
      // The plugin's default logs every socket error at error level with a stack; they are the client's
      // doing (an oversized frame, a vanished network), so any client could fill the log with them.
      errorHandler: (error, socket, request) => {
        const code = (error as Error & { code?: string }).code
        const entry = { url: request.url, err: error.message, code }
        if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') request.log.warn(entry, 'websocket closed: frame over the size limit')
        else request.log.debug(entry, 'websocket closed after a socket error')
        socket.terminate()
      },
    })

    await app.register(healthRoutes)
    await app.register(opsRoutes, { metricsToken: config.metrics.token })
    await app.register(caRoutes, { caCert: options.caCert })
    await app.register(setupRoutes)
    await app.register(authRoutes, { limits: config.limits })
    await app.register(authMethodsRoutes, { ldapEnabled: config.ldap.url !== '', oidc: config.oidc })
    await app.register(oidcRoutes, { oidc: config.oidc, publicUrl: config.server.publicUrl })
    await app.register(usersRoutes)
    await app.register(licenseRoutes)
    await app.register(roomsRoutes, { publicUrl: config.server.publicUrl })
    await app.register(invitationsRoutes, { mail: config.mail, publicUrl: config.server.publicUrl })
    await app.register(signalingRoutes)
    await app.register(recordingsRoutes)
    await app.register(historyRoutes)
    await app.register(webRoutes, { root: WEB_ROOT })
  } catch (err) {
    // A part that refused its settings (LDAP, OIDC, mail...) must not leave the media workers and the
    // database of the parts before it running.
    await app.close().catch(() => undefined)
    throw err
  }
  return app
}
