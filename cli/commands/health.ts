import type { Command } from 'commander'
import { configFrom, withConfigOptions, type ConfigFlags } from '../config-options.ts'
import { healthUrl, probe } from '../update/health.ts'

export function registerHealth(program: Command): void {
  withConfigOptions(program.command('health').description('exit 0 when the local server answers its health check (for container HEALTHCHECK and scripts)')).action(
    async (flags: ConfigFlags) => {
      const url = healthUrl(configFrom(flags))
      const answer = await probe(url)
      process.stdout.write(answer ? `ok: version ${answer.version}\n` : `no healthy answer from ${url}\n`)
      process.exitCode = answer?.status === 'ok' ? 0 : 1
    },
  )
}
