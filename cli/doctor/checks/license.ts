// The installed license as the server would judge it now, evaluated without touching the database
// (the server's own check moves the recorded clock forward; doctor only looks).
import { readFingerprint } from '../../../license-keys/fingerprint.ts'
import { createDb } from '../../../server/db/engine.ts'
import { createLicenseRepository } from '../../../server/db/license-repository.ts'
import { defaultKeyring } from '../../../server/license/create.ts'
import { cachedVerifier, evaluateLicense, type EvaluationInput } from '../../../server/license/evaluate.ts'
import type { Check } from '../check.ts'
import { readableDatabase } from '../database-file.ts'

type Stored = Pick<EvaluationInput, 'stored' | 'updatePackages' | 'lastSeen'>

async function readStored(db: ReturnType<typeof readableDatabase>): Promise<Stored> {
  if (!db) return { stored: undefined, updatePackages: [], lastSeen: undefined }
  try {
    const repo = createLicenseRepository(createDb({ url: '', password: '', passwordFile: '' }, db))
    const [stored, updatePackages, lastSeen] = await Promise.all([repo.get(), repo.updatePackages(), repo.lastSeen()])
    return { stored, updatePackages, lastSeen }
  } finally {
    db.close()
  }
}

export const licenseCheck: Check = {
  name: 'license',
  title: 'License',
  async run(ctx) {
    const now = Math.floor(ctx.now() / 1000)
    const state = await evaluateLicense({
      ...(await readStored(readableDatabase(ctx.config()))),
      verify: cachedVerifier(defaultKeyring(), () => now),
      fingerprint: readFingerprint(),
      now,
    })
    // The problem's message already names its fix (`veche activate`, `veche license install`, the clock).
    if (state.status !== 'active') return { status: 'error', message: `${state.status}: ${state.problem?.message ?? 'meetings are not allowed'}` }
    const c = state.claims
    const summary = c ? `active: ${c.plan} for ${c.licensee.name} (${c.sub}), ${c.term === 'perpetual' ? 'perpetual' : 'subscription'}` : 'active'
    if (state.warnings.length) return { status: 'warning', message: `${summary}; ${state.warnings.map((w) => w.message).join('; ')}` }
    return { status: 'ok', message: summary }
  },
}
