// Prints how fast `veche update check` verifies a kit, next to `sha256sum` over the same files
// (unpacked) in the same run. Run: bin/veche-node bench/kit-verify.ts [kit.tar.gz]
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { checkKit } from '../cli/update/kit-check.ts'
import { defaultKeyring } from '../server/license/create.ts'
import type { LicenseState } from '../server/license/evaluate.ts'
import { testKit } from '../test/kits.ts'

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const dir = mkdtempSync(join(tmpdir(), 'veche-bench-kit-'))
try {
  const kit = process.argv[2] ?? (await testKit(dir, { version: '9.9.9', gzipLevel: 6 }))
  const unpacked = join(dir, 'unpacked')
  execFileSync('mkdir', ['-p', unpacked])
  execFileSync('tar', ['-xzf', kit, '-C', unpacked])
  const files = execFileSync('find', [unpacked, '-type', 'f'], { encoding: 'utf8' }).trim().split('\n')
  const bytes = files.reduce((n, f) => n + statSync(f).size, 0)
  const license = { status: 'unlicensed', problem: undefined, claims: undefined, activation: undefined, updatesUntil: undefined, warnings: [], checkedAt: 0 } as LicenseState
  const ours: number[] = []
  const sha: number[] = []
  const gunzipSha: number[] = []
  for (let i = 0; i < 5; i++) {
    let t0 = performance.now()
    await checkKit(kit, { keyring: defaultKeyring(), installedVersion: undefined, license, writeTargets: [] })
    ours.push(performance.now() - t0)
    t0 = performance.now()
    const r = spawnSync('xargs', ['-0', 'sha256sum'], { input: files.join('\0'), maxBuffer: 1 << 28 })
    if (r.status !== 0) throw new Error('sha256sum failed')
    sha.push(performance.now() - t0)
    t0 = performance.now()
    spawnSync('sh', ['-c', `gzip -dc '${kit}' | sha256sum`])
    gunzipSha.push(performance.now() - t0)
  }
  const mb = bytes / 1e6
  const row = (name: string, ms: number[]) =>
    `${name.padEnd(58)} ${median(ms).toFixed(0).padStart(6)} ms  ${(mb / (median(ms) / 1000)).toFixed(0).padStart(5)} MB/s  (spread ${Math.min(...ms).toFixed(0)}-${Math.max(...ms).toFixed(0)})`
  process.stdout.write(`kit ${kit}: ${files.length} files, ${mb.toFixed(0)} MB unpacked, ${(statSync(kit).size / 1e6).toFixed(0)} MB packed; median of 5\n\n`)
  process.stdout.write(`${row('veche update check (gunzip + tar + sha256 + signature)', ours)}\n`)
  process.stdout.write(`${row('sha256sum over the unpacked files', sha)}\n`)
  process.stdout.write(`${row('gzip -dc | sha256sum (decompression floor)', gunzipSha)}\n`)
  process.stdout.write(`\nratio check / sha256sum: ${(median(ours) / median(sha)).toFixed(2)}\n`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
