import { Option, type Command } from 'commander'
import type { KeyPurpose } from '../../claims.ts'
import { createSigningKey, PURPOSES } from '../signing-keys.ts'

export function registerKeysCreate(keys: Command): void {
  keys
    .command('create')
    .description('create a signing key; print its public entry for license-keys/trusted-keys.json')
    .addOption(new Option('--purpose <purpose>', 'what the key signs').choices(PURPOSES).makeOptionMandatory())
    .requiredOption('--dir <dir>', 'folder for the private key file (keep it offline and backed up)')
    .option('--kid <kid>', 'key id (default: <purpose>-<year>-<month>-<random>)')
    .action((flags: { purpose: KeyPurpose; dir: string; kid?: string }) => {
      const { file, trusted } = createSigningKey(flags.purpose, flags.dir, flags.kid ? { kid: flags.kid } : {})
      process.stderr.write(`wrote ${file} (mode 0600); add this entry to license-keys/trusted-keys.json and ship it in a release:\n`)
      process.stdout.write(`${JSON.stringify(trusted, null, 2)}\n`)
    })
}
