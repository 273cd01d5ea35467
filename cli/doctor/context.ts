// What every doctor check reads: the configuration (or why it does not load), the worker binary,
// and the clock. Tests build one with overrides instead of patching globals.
import { workerBin as mediasoupWorkerBin } from 'mediasoup'
import { ConfigError } from '../../config/load.ts'
import type { Config } from '../../config/schema.ts'
import { configFrom, type ConfigFlags } from '../config-options.ts'
import { SkipCheck } from './check.ts'

export type LoadedConfig = { config: Config; error?: undefined } | { config?: undefined; error: ConfigError }

export interface DoctorContext {
  /** The file named by --config or VECHE_CONFIG; undefined when running on defaults. */
  configFile: string | undefined
  loaded: LoadedConfig
  /** config returns the loaded configuration; throws SkipCheck when it does not load. */
  config(): Config
  /** The mediasoup worker binary (mediasoup honours MEDIASOUP_WORKER_BIN). */
  workerBin: string
  /** now returns milliseconds since the epoch. */
  now(): number
  /** procSysPath names a kernel setting's file, e.g. 'net/core/rmem_default' under /proc/sys. */
  procSysPath(setting: string): string
}

export interface ContextOverrides {
  workerBin?: string
  now?: () => number
  /** A folder standing in for /proc/sys (tests). */
  procSys?: string
}

/** createDoctorContext loads the configuration for the command's flags; never throws a ConfigError. */
export function createDoctorContext(flags: ConfigFlags, overrides: ContextOverrides = {}): DoctorContext {
  return contextFor(loadFor(flags), flags.config ?? process.env.VECHE_CONFIG, overrides)
}

function loadFor(flags: ConfigFlags): LoadedConfig {
  try {
    return { config: configFrom(flags) }
  } catch (err) {
    if (err instanceof ConfigError) return { error: err }
    throw err
  }
}

/** contextFor builds a context around an already loaded configuration (tests call it directly). */
export function contextFor(loaded: LoadedConfig, configFile: string | undefined, overrides: ContextOverrides = {}): DoctorContext {
  return {
    configFile: configFile || undefined,
    loaded,
    config(): Config {
      if (loaded.error) throw new SkipCheck('the configuration does not load (see the config check)')
      return loaded.config
    },
    workerBin: overrides.workerBin ?? mediasoupWorkerBin,
    now: overrides.now ?? Date.now,
    procSysPath: (setting) => `${overrides.procSys ?? '/proc/sys'}/${setting}`,
  }
}
