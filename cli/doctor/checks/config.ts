// The configuration loads: file, environment and --set flags, strictly.
import type { Check } from '../check.ts'

export const configCheck: Check = {
  name: 'config',
  title: 'Configuration',
  async run(ctx) {
    const { loaded, configFile } = ctx
    if (loaded.error) {
      // ConfigError's text already names the key and where it came from.
      return { status: 'error', message: `${loaded.error.message}: correct it, then \`veche config check\` shows the effective values` }
    }
    return { status: 'ok', message: configFile ? `loaded from ${configFile}` : 'built-in defaults (no config file)' }
  },
}
