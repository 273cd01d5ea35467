// Prints what one offline license check costs, next to what a join costs, measured in the same run.
// Run: bin/veche-node bench/license-check.ts
import { join } from 'node:path'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { performance } from 'node:perf_hooks'
import { pino } from 'pino'
import { verifyToken } from '../license-keys/verify.ts'
import { defaultKeyring } from '../server/license/create.ts'
import { refuseParticipant } from '../server/license/policy.ts'
import { buildApp } from '../server/app.ts'
import { ensureLocalTls } from '../server/tls/local-ca.ts'
import { testConfig } from '../test/helper.ts'
import { installTestLicense } from '../test/license-helper.ts'
import { SignalingClient } from '../test/signaling-client.ts'

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function timeEach(n: number, fn: () => unknown): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    await fn()
    out.push((performance.now() - t0) * 1000)
  }
  return out
}

const dir = mkdtempSync(join(tmpdir(), 'veche-bench-'))
try {
  const tls = ensureLocalTls(join(dir, 'tls'), ['127.0.0.1'])
  const app = await buildApp({ config: testConfig(dir), dataDir: dir, logger: pino({ level: 'silent' }), https: tls })
  const claims = await installTestLicense(app)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const port = (app.server.address() as { port: number }).port
  const room = await app.roomsRepository.create((await app.usersRepository.create({ email: 'b@x.y', displayName: 'B', role: 'owner', passwordHash: 'x' })).id, 'Bench')
  const keyring = defaultKeyring()
  const token = (await (await import('../server/db/license-repository.ts')).createLicenseRepository(app.dataLayer).get())!.licenseKey

  // Warm up, then measure.
  await timeEach(200, () => verifyToken('license', token, keyring))
  const verify = await timeEach(2000, () => verifyToken('license', token, keyring))
  const refresh = await timeEach(500, () => app.license.refresh())
  const state = app.license.state
  const gate = await timeEach(20000, () => refuseParticipant(state, 1))

  const joins: number[] = []
  for (let i = 0; i < 60; i++) {
    const t0 = performance.now()
    const c = await SignalingClient.connect(`wss://127.0.0.1:${port}/api/rooms/${room.id}/signal`)
    const r = await c.request('join', { displayName: `p${i}` })
    joins.push((performance.now() - t0) * 1000)
    if (!r.ok) throw new Error(JSON.stringify(r))
    c.close()
    await c.closed
  }
  const j = median(joins.slice(10))
  const rows: [string, number][] = [
    ['join (WebSocket connect + join reply), loopback', j],
    ['periodic license check (refresh: verified-token cache, fingerprint, clock)', median(refresh)],
    ['full signature verification of a license key (EdDSA, uncached)', median(verify)],
    ['admission check at a join (license state -> allow/refuse)', median(gate)],
  ]
  process.stdout.write(`license ${claims.sub}; medians in microseconds; ratio = figure / join\n\n`)
  for (const [name, us] of rows) process.stdout.write(`${name.padEnd(80)} ${us.toFixed(2).padStart(10)} us   ${(us / j).toExponential(2)}\n`)
  await app.close()
} finally {
  rmSync(dir, { recursive: true, force: true })
}
