// The --config/--set options every command that reads the configuration shares.
import type { Command } from 'commander'
import { loadConfig } from '../config/load.ts'
import type { Config } from '../config/schema.ts'

export interface ConfigFlags {
  config?: string
  set: string[]
}

const collect = (value: string, previous: string[]): string[] => [...previous, value]

export function withConfigOptions(command: Command): Command {
  return command
    .option('-c, --config <file>', 'YAML config file (default: $VECHE_CONFIG, else built-in defaults)')
    .option('--set <key=value>', 'override one config key, e.g. --set server.port=8443 (repeatable)', collect, [])
}

/** configFrom loads the configuration for a command's flags; throws ConfigError. */
export function configFrom(flags: ConfigFlags): Config {
  return loadConfig({ file: flags.config ?? process.env.VECHE_CONFIG, env: process.env, set: flags.set })
}
