import type { Command } from 'commander'
import { isoDay, nowSeconds } from '../dates.ts'
import { VendorError } from '../errors.ts'
import { withDbOption, withStore } from './options.ts'

export function registerActivationRelease(activation: Command): void {
  withDbOption(
    activation
      .command('release')
      .description('free an activation so the license can be activated on another machine')
      .argument('<activationId>', 'act_... (see `veche-vendor activation list`)'),
  ).action(async (activationId: string, flags: { db: string }) => {
    await withStore(flags.db, (store) => {
      const a = store.activations.get(activationId)
      if (!a) throw new VendorError('unknown_activation', `activation ${activationId} is not in ${flags.db}: see \`veche-vendor activation list\``)
      if (!store.activations.release(a.id, nowSeconds())) {
        throw new VendorError('already_released', `activation ${a.id} was already released on ${isoDay(a.releasedAt ?? 0)}`)
      }
      process.stdout.write(`released ${a.id} (license ${a.licenseId}, host '${a.hostname}'): the license can now be activated on another machine\n`)
    })
  })
}
