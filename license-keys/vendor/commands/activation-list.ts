import type { Command } from 'commander'
import { isoDay } from '../dates.ts'
import { withDbOption, withStore } from './options.ts'

export function registerActivationList(activation: Command): void {
  withDbOption(activation.command('list').description('list machine activations, released ones too'))
    .option('--license <id>', 'only this license')
    .action(async (flags: { db: string; license?: string }) => {
      await withStore(flags.db, (store) => {
        const rows = store.activations.list(flags.license).map((a) => [
          a.id,
          a.licenseId,
          a.hostname,
          a.version,
          isoDay(a.activatedAt),
          isoDay(a.renewedAt),
          a.releasedAt === undefined ? 'active' : `released ${isoDay(a.releasedAt)}`,
        ])
        if (rows.length === 0) {
          process.stdout.write(`no activations${flags.license ? ` of ${flags.license}` : ''} in ${flags.db}\n`)
          return
        }
        const table = [['ACTIVATION', 'LICENSE', 'HOST', 'VERSION', 'ACTIVATED', 'RENEWED', 'STATUS'], ...rows]
        const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)))
        for (const r of table) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`)
      })
    })
}
