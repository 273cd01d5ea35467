// Runs the vendor's real activation service on loopback for a test, with the test keys.
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { defaultKeyring } from '../server/license/create.ts'
import { buildActivationService } from '../license-keys/vendor/activation-service/app.ts'
import { createVendorStore, openVendorDatabase } from '../license-keys/vendor/activation-service/db.ts'
import { tempDir } from './helper.ts'
import { activationKey } from './license-helper.ts'

interface TestContext {
  teardown(fn: () => unknown): void
}

export interface RunningActivationService {
  url: string
  dbFile: string
  app: FastifyInstance
  stop(): Promise<void>
  revoke(licenseId: string): void
}

export async function startActivationService(t: TestContext): Promise<RunningActivationService> {
  const dbFile = join(tempDir(t, 'veche-vendor-'), 'vendor.db')
  const app = buildActivationService({ dbFile, keyring: defaultKeyring(), activationKey: activationKey() })
  await app.listen({ host: '127.0.0.1', port: 0 })
  let stopped = false
  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    await app.close()
  }
  t.teardown(stop)
  const { port } = app.server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    dbFile,
    app,
    stop,
    revoke(licenseId) {
      const db = openVendorDatabase(dbFile)
      try {
        createVendorStore(db).licenses.revoke(licenseId as `lic_${string}`, Math.floor(Date.now() / 1000))
      } finally {
        db.close()
      }
    },
  }
}
