// Starts the appliance: TLS material, the app, the listener; stops it cleanly on SIGTERM/SIGINT.
import { spawn } from 'node:child_process'
import { resolve } from 'node:path'
import type { Config } from '../config/schema.ts'
import { buildApp } from './app.ts'
import { createLogger } from './logger.ts'
import { failpoint } from './failpoint.ts'
import { VERSION } from './version.ts'
import { tlsFor } from './tls/for-config.ts'

const STOP_DEADLINE_MS = 10_000

/** notifySystemd tells systemd (Type=notify, NotifyAccess=all) about readiness; a no-op elsewhere. */
function notifySystemd(flag: '--ready' | '--stopping'): void {
  if (!process.env.NOTIFY_SOCKET) return
  spawn('systemd-notify', [flag, `--pid=${process.pid}`], { stdio: 'ignore' }).on('error', () => undefined)
}

/** serve runs the server until a stop signal; resolves once it has shut down (exitCode 1 if not cleanly). */
export async function serve(config: Config): Promise<void> {
  // The database holds password hashes and the folder holds TLS keys: nothing we write is world-readable.
  process.umask(0o027)
  const log = createLogger(config.log)
  const dataDir = resolve(config.data.dir)
  const tls = tlsFor(config, dataDir)
  if (tls.created?.length) log.info({ created: tls.created, file: tls.certFile }, 'generated local TLS certificate')
  const app = await buildApp({ config, dataDir, logger: log, https: { key: tls.key, cert: tls.cert }, caCert: tls.caCert })
  failpoint(`serve:before-listen:${VERSION}`)
  await app.listen({ host: config.server.host, port: config.server.port })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.server.port
  const shown = config.server.host === '0.0.0.0' || config.server.host === '::' ? 'localhost' : config.server.host
  log.info({ url: `https://${shown}:${port}/`, dataDir }, 'veche is serving')
  notifySystemd('--ready')
  if (process.stdout.isTTY || config.log.pretty) process.stderr.write(`\nVeche is running: https://${shown}:${port}/\n\n`)

  await new Promise<void>((done) => {
    const stop = (signal: string): void => {
      log.info({ signal }, 'stopping')
      notifySystemd('--stopping')
      // A stop must finish within the service manager's timeout even if something hangs.
      const deadline = setTimeout(() => {
        log.error({ afterMs: STOP_DEADLINE_MS }, 'shutdown took too long; exiting anyway')
        process.exitCode = 1
        done()
      }, STOP_DEADLINE_MS)
      deadline.unref()
      app.close().then(
        () => {
          clearTimeout(deadline)
          log.info('stopped')
          done()
        },
        (err: Error) => {
          clearTimeout(deadline)
          log.error({ err }, 'shutdown failed')
          process.exitCode = 1
          done()
        },
      )
    }
    process.once('SIGTERM', () => stop('SIGTERM'))
    process.once('SIGINT', () => stop('SIGINT'))
  })
}
