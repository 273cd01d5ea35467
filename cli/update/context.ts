// Everything an update command needs: configuration, install layout, trusted keys, license state.
import type { Config } from '../../config/schema.ts'
import type { Keyring } from '../../license-keys/keyring.ts'
import { openDatabase } from '../../server/db/database.ts'
import { createDb } from '../../server/db/engine.ts'
import { createLicenseManager, defaultKeyring } from '../../server/license/create.ts'
import type { LicenseState } from '../../server/license/evaluate.ts'
import { VERSION } from '../../server/version.ts'
import { configFrom, type ConfigFlags } from '../config-options.ts'
import { currentRelease, layoutFor, type Layout } from './layout.ts'

export interface UpdateContext {
  config: Config
  layout: Layout
  keyring: Keyring
  license: LicenseState
  /** The release `current` points at; in a development checkout, this code's version. */
  installedVersion: string
}

export async function updateContext(flags: ConfigFlags): Promise<UpdateContext> {
  const config = configFrom(flags)
  const layout = layoutFor(config, flags.config ?? process.env.VECHE_CONFIG)
  const db = openDatabase(layout.database)
  try {
    const license = await createLicenseManager(createDb({ url: '', password: '', passwordFile: '' }, db), config.license).refresh()
    return { config, layout, keyring: defaultKeyring(), license, installedVersion: currentRelease(layout) ?? VERSION }
  } finally {
    db.close()
  }
}
