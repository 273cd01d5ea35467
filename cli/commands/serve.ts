import type { Command } from 'commander'
import { serve } from '../../server/serve.ts'
import { configFrom, withConfigOptions, type ConfigFlags } from '../config-options.ts'

export function registerServe(program: Command): void {
  withConfigOptions(program.command('serve').description('run the Veche server (web client, API, signaling, media)')).action(
    async (flags: ConfigFlags) => {
      await serve(configFrom(flags))
      // Whatever a hung shutdown left behind (sockets, timers) must not keep the process alive.
      process.exit()
    },
  )
}
