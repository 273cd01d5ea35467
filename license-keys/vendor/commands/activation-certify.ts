import type { Command } from 'commander'
import { armor } from '../../armor.ts'
import { decideActivation, ActivationRefused } from '../activation-service/decide.ts'
import { nowSeconds } from '../dates.ts'
import { VendorError } from '../errors.ts'
import { loadSigningKey } from '../signing-keys.ts'
import { checkOutput, output, readBoundedFile, vendorKeyring, withDbOption, withStore, withTestKeysOption } from './options.ts'

/** A request is a license key (at most 16 KiB in it) and a few short fields. */
const MAX_REQUEST_BYTES = 32 * 1024

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
      const text = readBoundedFile(requestFile, MAX_REQUEST_BYTES)
      if (text === undefined) {
        throw new ActivationRefused('bad_request', `${requestFile} is larger than 32 KiB, which no activation request is: ask for the file \`veche activate --offline\` wrote, unchanged`)
      }
      let request: unknown
      try {
        request = JSON.parse(text)
      } catch {
        throw new ActivationRefused('bad_request', `${requestFile} is not JSON: ask for the file \`veche activate --offline\` wrote, unchanged`)
      }
      const keyring = vendorKeyring(flags)
      await withStore(flags.db, async (store) => {
        const decision = await decideActivation(store, request, keyring, key, nowSeconds(), { requireRecorded: true })
        output(armor('activation', decision.certificate), flags.out)
        process.stdout.write(
          `${decision.reused ? 're-activated' : 'activated'} ${decision.license.sub} on host '${decision.activation.hostname}' ` +
            `as ${decision.activation.id}; certificate written to ${flags.out}: give it to the customer to install on that machine\n`,
        )
      })
    })
}

