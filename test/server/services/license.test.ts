// Installing a license on both engines: an offline activation completed, a renewed key, an update
// package, and what a change was checked against read again inside the transaction, so a change
// made meanwhile (another offline request, another license) refuses the stale one.
import t, { type Test } from 'tap'
import { issueUpdatePackage } from '../../../license-keys/vendor/issue.ts'
import type { DataLayer } from '../../../server/db/engine.ts'
import { createLicenseRepository } from '../../../server/db/license-repository.ts'
import { createLicenseManager } from '../../../server/license/create.ts'
import type { LicenseManager } from '../../../server/license/manager.ts'
import { installLicense, type LicenseChange } from '../../../server/services/license.ts'
import { eachEngine } from '../../engines.ts'
import { tempDir, testConfig } from '../../helper.ts'
import { certify, issueTestLicense, licenseKey } from '../../license-helper.ts'

const DAY = 86_400

function managerOn(t: Test, layer: DataLayer): LicenseManager {
  // Nothing here goes online: the vendor's address is a closed port.
  return createLicenseManager(layer, testConfig(tempDir(t), ['license.activationUrl=http://127.0.0.1:9']).license)
}

/** activateOffline completes an offline activation of a new test license; returns its claims and key. */
async function activateOffline(layer: DataLayer, license: LicenseManager) {
  const { token, claims } = await issueTestLicense()
  const request = await license.createOfflineRequest(token)
  const state = await installLicense({ dataLayer: layer, license }, { kind: 'certificate', certificate: await certify(claims.sub, { nonce: request.nonce }) })
  return { token, claims, state }
}

eachEngine(t, 'an offline activation, a renewed key and an update package are installed', async (t, layer) => {
  const license = managerOn(t, layer)
  const repo = createLicenseRepository(layer)
  t.equal((await license.refresh()).status, 'unlicensed')
  const { token, claims, state } = await activateOffline(layer, license)
  t.equal(state.status, 'active')
  t.match(await repo.get(), { licenseId: claims.sub, licenseKey: token })
  t.equal(await repo.pending(), undefined, 'the pending request is done')

  const foreign = await issueTestLicense()
  await t.rejects(installLicense({ dataLayer: layer, license }, { kind: 'renewedKey', key: foreign.token }), { code: 'wrong_license' })
  t.equal((await repo.get())?.licenseKey, token, 'a key for another license is not stored')
  const { certificate } = (await repo.get())!
  const renewed = await issueTestLicense({ id: claims.sub, plan: 'Enterprise' })
  t.equal((await installLicense({ dataLayer: layer, license }, { kind: 'renewedKey', key: renewed.token })).claims?.plan, 'Enterprise')
  t.match(await repo.get(), { licenseId: claims.sub, licenseKey: renewed.token, certificate }, 'the activation stays')

  const pkg = await issueUpdatePackage({ licenseId: claims.sub, updatesUntil: claims.updatesUntil + 365 * DAY }, licenseKey())
  const after = await installLicense({ dataLayer: layer, license }, { kind: 'updatePackage', token: pkg.token })
  t.equal(after.updatesUntil, claims.updatesUntil + 365 * DAY)
  t.equal((await repo.updatePackages()).length, 1)
})

eachEngine(t, 'a change checked against a state that changed meanwhile is refused, nothing stored', async (t, layer) => {
  const license = managerOn(t, layer)
  await license.refresh()
  /** meanwhile runs `race` after the real checks and before the service's transaction. */
  const meanwhile = (race: () => Promise<unknown>) => ({
    dataLayer: layer,
    license: {
      verify: async (change: LicenseChange) => {
        const verified = await license.verify(change)
        await race()
        return verified
      },
      refresh: () => license.refresh(),
    },
  })
  const repo = createLicenseRepository(layer)

  // A second offline request replaced the first while the first's certificate was checked.
  const first = await issueTestLicense()
  const request = await license.createOfflineRequest(first.token)
  const second = await issueTestLicense()
  const certificate = await certify(first.claims.sub, { nonce: request.nonce })
  await t.rejects(installLicense(meanwhile(() => license.createOfflineRequest(second.token)), { kind: 'certificate', certificate }), {
    code: 'nonce_mismatch',
    message: /another offline activation was started while this certificate was checked/,
  })
  t.equal(await repo.get(), undefined, 'nothing activated')
  t.equal((await repo.pending())?.licenseId, second.claims.sub, 'the newer request stays pending')

  // Another license was activated while an update package for the first was checked.
  const { claims } = await activateOffline(layer, license)
  const pkg = await issueUpdatePackage({ licenseId: claims.sub, updatesUntil: claims.updatesUntil + DAY }, licenseKey())
  const other = await issueTestLicense()
  const replace = () => repo.saveActivated({ licenseId: other.claims.sub, licenseKey: other.token, certificate: 'c', activatedAt: other.claims.iat })
  await t.rejects(installLicense(meanwhile(replace), { kind: 'updatePackage', token: pkg.token }), {
    code: 'wrong_license',
    message: new RegExp(`the activated license changed to ${other.claims.sub} while this was checked`),
  })
  t.same(await repo.updatePackages(), [], 'the package is not stored')
})
