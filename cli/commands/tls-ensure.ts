import type { Command } from 'commander'
import { resolve } from 'node:path'
import { tlsFor } from '../../server/tls/for-config.ts'
import { configFrom, withConfigOptions, type ConfigFlags } from '../config-options.ts'

export function registerTlsEnsure(program: Command): void {
  const tls = program.command('tls').description('the https certificate')
  withConfigOptions(tls.command('ensure').description('create the local CA and server certificate if missing or outdated (the server also does this at start)')).action(
    (flags: ConfigFlags) => {
      process.umask(0o027)
      const config = configFrom(flags)
      const material = tlsFor(config, resolve(config.data.dir))
      const what = material.created?.length ? `created ${material.created.join(' and ')} certificate` : 'up to date'
      process.stdout.write(`${material.certFile}: ${what}${material.caCert ? '; employees trust the CA from /ca.crt' : ''}\n`)
    },
  )
}
