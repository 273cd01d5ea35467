import type { Command } from 'commander'
import { resolve } from 'node:path'
import { loadSigningKey } from '../signing-keys.ts'
import { parseWhole, vendorKeyring, withDbOption, withTestKeysOption } from './options.ts'

interface Flags {
  db: string
  key: string
  host: string
  port: number
  allowTestKeys?: boolean
}

export function registerServe(program: Command): void {
  withTestKeysOption(withDbOption(program.command('serve').description('run the activation service (JSON logs on standard output)')))
    .requiredOption('--key <file>', 'the activation signing key file')
    .option('--host <address>', 'address to listen on (put a TLS proxy in front of it)', '127.0.0.1')
    .option('--port <port>', 'port to listen on', parseWhole, 8700)
    .action(async (flags: Flags) => {
      const activationKey = loadSigningKey(flags.key, 'activation')
      // Loaded here, not at the top: Fastify and pino would add ~0.1 s to every other command's start.
      const { pino } = await import('pino')
      const { buildActivationService } = await import('../activation-service/app.ts')
      const logger = pino({ level: 'info', base: { service: 'veche-vendor' } })
      const app = buildActivationService({ dbFile: resolve(flags.db), keyring: vendorKeyring(flags), activationKey, logger })
      const url = await app.listen({ host: flags.host, port: flags.port })
      logger.info({ url, db: resolve(flags.db), kid: activationKey.kid }, `activation service listening on ${url}`)
      const stop = (signal: string) => {
        logger.info({ signal }, 'stopping')
        void app.close().then(() => process.exit(0))
      }
      process.once('SIGTERM', stop)
      process.once('SIGINT', stop)
    })
}
