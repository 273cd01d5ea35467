import type { Command } from 'commander'
import { serve } from '../../server/serve.ts'
import { releaseInfo } from '../../server/version.ts'
import { configFrom, withConfigOptions, type ConfigFlags } from '../config-options.ts'
import { CliError } from '../errors.ts'

export function registerServe(program: Command): void {
  withConfigOptions(program.command('serve').description('run the Veche server (web client, API, signaling, media)'))
    .option('--dev', 'development checkout only: install a development license (test keys) on first start, so meetings work at once')
    .action(async (flags: ConfigFlags & { dev?: boolean }) => {
      const config = configFrom(flags)
      if (flags.dev) await developmentLicense(config)
      await serve(config)
      // Whatever a hung shutdown left behind (sockets, timers) must not keep the process alive.
      process.exit()
    })
}

async function developmentLicense(config: ReturnType<typeof configFrom>): Promise<void> {
  const release = releaseInfo()
  if (release) {
    const trust = release.allowTestKeys ? 'has no test signing keys' : 'never trusts the test keys a development license is signed with'
    throw new CliError(
      `--dev is for a development checkout; this is the release kit ${release.version}, which ${trust}: ` +
        'activate an evaluation or purchased key with `veche activate <key>`, then run `veche serve`',
    )
  }
  // Loaded only here: the vendor's signing code and the test keys exist in a checkout, not in a kit.
  const { installDevLicense } = await import('../dev-license.ts')
  const { outcome, state } = await installDevLicense(config)
  const said = {
    installed: `development license ${state.claims?.sub} installed and activated for this machine: not for production`,
    'kept-development': `development license ${state.claims?.sub} already installed: not for production`,
    'kept-other': `--dev changes nothing: this data folder holds a ${state.claims?.kind ?? 'sold'} license (${state.status}); \`veche license show\` says more`,
  }[outcome]
  process.stderr.write(`veche: ${said}\n`)
}
