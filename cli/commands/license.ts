import type { Command } from 'commander'
import { withConfigOptions, type ConfigFlags } from '../config-options.ts'
import { readTokenArg, withLicense } from '../license-context.ts'
import { installLicense } from '../../server/services/license.ts'
import { formatLicense } from '../license-summary.ts'

export function registerLicense(program: Command): void {
  const license = program.command('license').description('show and maintain the installed license')

  withConfigOptions(license.command('show').description('what the installed license allows, and whether it is valid here'))
    .option('--json', 'machine-readable output')
    .action(async (flags: ConfigFlags & { json?: boolean }) => {
      await withLicense(flags, async ({ license }) => {
        const s = license.state
        process.stdout.write(flags.json ? `${JSON.stringify(s, null, 2)}\n` : formatLicense(s))
        // Scripts can tell a working license from one that stops meetings.
        process.exitCode = s.status === 'active' ? 0 : 3
      })
    })

  withConfigOptions(
    license.command('install').description('install a renewed key for the activated license (no re-activation)').argument('<key>', 'key text, file, or -'),
  ).action(async (keyArg: string, flags: ConfigFlags) => {
    await withLicense(flags, async (deps) => {
      const state = await installLicense(deps, { kind: 'renewedKey', key: await readTokenArg(keyArg, 'license') })
      process.stdout.write(`renewed key installed.\n\n${formatLicense(state)}`)
    })
  })

  withConfigOptions(
    license
      .command('install-update-package')
      .description('install an update-package license (extends the date until which updates may be installed)')
      .argument('<file>', 'the update-package license file, text, or -'),
  ).action(async (fileArg: string, flags: ConfigFlags) => {
    await withLicense(flags, async (deps) => {
      const state = await installLicense(deps, { kind: 'updatePackage', token: await readTokenArg(fileArg, 'updatePackage') })
      process.stdout.write(`update-package license installed.\n\n${formatLicense(state)}`)
    })
  })
}
