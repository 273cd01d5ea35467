import type { Command } from 'commander'
import { readFileSync } from 'node:fs'
import { decideActivation, ActivationRefused } from '../activation-service/decide.ts'
import { VendorError } from '../errors.ts'
import { loadSigningKey } from '../signing-keys.ts'
import { checkOutput, output, vendorKeyring, withDbOption, withStore, withTestKeysOption } from './options.ts'

export function registerActivationCertify(activation: Command): void {
  withTestKeysOption(
    withDbOption(
      activation
        .command('certify')
        .description('offline activation: answer a request file from `veche activate --offline` with a certificate file')
        .argument('<request-file>', 'the activation request the appliance wrote'),
    ),
  )
    .requiredOption('--key <file>', 'the activation signing key file')
    .requiredOption('--out <file>', 'the certificate file to write (give it to the customer)')
    .action(async (requestFile: string, flags: { db: string; key: string; out: string; allowTestKeys?: boolean }) => {
      const key = loadSigningKey(flags.key, 'activation')
      checkOutput(flags.out)
      let text: string
      try {
        text = readFileSync(requestFile, 'utf8')
      } catch (err) {
        throw new VendorError('file_error', `cannot read ${requestFile}: ${(err as Error).message}`)
      }
      let request: unknown
      try {
        request = JSON.parse(text)
      } catch {
        throw new ActivationRefused('bad_request', `${requestFile} is not JSON: ask for the file \`veche activate --offline\` wrote, unchanged`)
      }
      const keyring = vendorKeyring(flags)
      await withStore(flags.db, async (store) => {
        const decision = await decideActivation(store, request, keyring, key)
        output(decision.certificate, flags.out)
        process.stdout.write(
          `${decision.reused ? 're-activated' : 'activated'} ${decision.license.sub} on host '${decision.activation.hostname}' ` +
            `as ${decision.activation.id}; certificate written to ${flags.out}: give it to the customer to install on that machine\n`,
        )
      })
    })
}
