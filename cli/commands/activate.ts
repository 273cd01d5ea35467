import type { Command } from 'commander'
import { writeFileSync } from 'node:fs'
import { withConfigOptions, type ConfigFlags } from '../config-options.ts'
import { CliError } from '../errors.ts'
import { readTokenArg, withLicense } from '../license-context.ts'
import { installLicense } from '../../server/services/license.ts'
import { formatLicense } from '../license-summary.ts'

interface ActivateFlags extends ConfigFlags {
  offline?: boolean
  out: string
  certificate?: string
}

export function registerActivate(program: Command): void {
  withConfigOptions(
    program
      .command('activate')
      .description('activate a license key on this machine (one online handshake with the vendor)')
      .argument('[key]', 'the license key text, a file holding it, or - for stdin'),
  )
    .option('--offline', 'no network: write an activation request file to carry to the vendor')
    .option('--out <file>', 'where --offline writes the request', 'veche-activation-request.json')
    .option('--certificate <file>', 'complete an offline activation with the certificate file from the vendor')
    .action(async (keyArg: string | undefined, flags: ActivateFlags) => {
      await withLicense(flags, async (deps) => {
        if (flags.certificate) {
          const state = await installLicense(deps, { kind: 'certificate', certificate: await readTokenArg(flags.certificate, 'activation') })
          process.stdout.write(`activated (offline).\n\n${formatLicense(state)}`)
          return
        }
        if (!keyArg) throw new CliError('give the license key (text, file, or -), or --certificate <file> to finish an offline activation')
        const key = await readTokenArg(keyArg, 'license')
        if (flags.offline) {
          const request = await deps.license.createOfflineRequest(key)
          writeFileSync(flags.out, `${JSON.stringify(request, null, 2)}\n`, { mode: 0o600 })
          process.stdout.write(
            `activation request written to ${flags.out}.\n` +
              'Send it to the vendor; they answer with a certificate file. Then run:\n' +
              '  veche activate --certificate <certificate file>\n',
          )
          return
        }
        const state = await installLicense(deps, { kind: 'activate', key })
        process.stdout.write(`activated.\n\n${formatLicense(state)}`)
      })
    })
}
