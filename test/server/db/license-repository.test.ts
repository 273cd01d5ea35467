// The license tables on both engines: an activation stored with its pending request ended, a
// renewed key, update packages newest first, the change mark, and a clock that only moves forward.
import t from 'tap'
import { createLicenseRepository } from '../../../server/db/license-repository.ts'
import { eachEngine } from '../../engines.ts'

const activation = { licenseId: 'lic_1', licenseKey: 'key-1', certificate: 'cert-1', activatedAt: 1_700_000_000 }

eachEngine(t, 'an activation replaces the installed license and ends the pending request', async (t, layer) => {
  const repo = createLicenseRepository(layer)
  t.equal(await repo.get(), undefined, 'nothing installed at first')
  await repo.savePending({ licenseId: 'lic_1', licenseKey: 'key-1', nonce: 'n1' })
  await repo.savePending({ licenseId: 'lic_1', licenseKey: 'key-1', nonce: 'n2' })
  t.match(await repo.pending(), { licenseId: 'lic_1', nonce: 'n2' }, 'one pending request, the latest')

  const before = await repo.changeMark()
  await repo.saveActivated(activation)
  t.match(await repo.get(), { ...activation, installedAt: Number })
  t.equal(await repo.pending(), undefined, 'the pending request is done')
  t.not(await repo.changeMark(), before, 'the change mark moved')

  await repo.saveActivated({ ...activation, licenseId: 'lic_2', certificate: 'cert-2' })
  t.match(await repo.get(), { licenseId: 'lic_2', certificate: 'cert-2' }, 'a second activation replaces the first')
  await repo.replaceKey('key-2')
  t.match(await repo.get(), { licenseId: 'lic_2', licenseKey: 'key-2', certificate: 'cert-2' }, 'a renewed key keeps the activation')
})

eachEngine(t, "inside a caller's transaction, an activation rolls back with it", async (t, layer) => {
  await layer.db
    .transaction()
    .execute(async (trx) => {
      await createLicenseRepository({ engine: layer.engine, db: trx }).saveActivated(activation)
      throw new Error('the caller gives up')
    })
    .catch(() => undefined)
  t.equal(await createLicenseRepository(layer).get(), undefined, 'nothing stored')
})

eachEngine(t, 'update packages: newest first, the same package twice is one row', async (t, layer) => {
  const repo = createLicenseRepository(layer)
  const mark = await repo.changeMark()
  await repo.saveUpdatePackage({ jti: 'a', licenseId: 'lic_1', token: 'tok-a', updatesUntil: 100 })
  await repo.saveUpdatePackage({ jti: 'b', licenseId: 'lic_1', token: 'tok-b', updatesUntil: 300 })
  await repo.saveUpdatePackage({ jti: 'a', licenseId: 'lic_1', token: 'tok-a2', updatesUntil: 200 })
  t.same(await repo.updatePackages(), [
    { jti: 'b', licenseId: 'lic_1', token: 'tok-b', updatesUntil: 300 },
    { jti: 'a', licenseId: 'lic_1', token: 'tok-a2', updatesUntil: 200 },
  ])
  t.not(await repo.changeMark(), mark, 'a new package moves the change mark')
})

eachEngine(t, 'the recorded clock only moves forward', async (t, layer) => {
  const repo = createLicenseRepository(layer)
  t.equal(await repo.lastSeen(), undefined, 'nothing recorded on first run')
  await repo.advanceClock(2_000_000_000)
  await repo.advanceClock(1_900_000_000)
  t.equal(await repo.lastSeen(), 2_000_000_000, 'an earlier time does not turn it back')
  await repo.advanceClock(2_000_000_060)
  t.equal(await repo.lastSeen(), 2_000_000_060)
})
