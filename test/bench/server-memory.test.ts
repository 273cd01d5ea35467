// A smoke run of bench/server-memory.ts at a tiny size: the real server takes a few dozen guest joins
// and the instrument reads the server's V8 heap through its probe and glibc's arenas through gdb.
// Not a timed test: it asserts that the instrument measures, not what it measures.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'

const run = promisify(execFile)
const node = fileURLToPath(new URL('../../bin/veche-node', import.meta.url))
const bench = fileURLToPath(new URL('../../bench/server-memory.ts', import.meta.url))

interface Report {
  results: {
    variant: string
    waves: { failures: number }[]
    samples: { at: string; kernel: { rss: number; anonymous: number; pages256k: number }; probe?: { memory: { heapUsed: number }; gc: boolean }; malloc?: { arenas: number; systemBytes: number } }[]
  }[]
}

t.test('server-memory reads the server process over guest joins', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'veche-server-memory-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const out = join(dir, 'out.json')
  const args = [bench, '--joins', '24', '--waves', '1', '--variants', 'glibc,arena2', '--idle-seconds', '0', '--concurrency', '4', '--out', out]
  const { stdout } = await run(node, args, { timeout: 120_000 })
  t.match(stdout, /after malloc_trim\(0\)/, 'prints the table')
  const report = JSON.parse(readFileSync(out, 'utf8')) as Report
  t.same(report.results.map((r) => r.variant), ['glibc', 'arena2'])
  for (const r of report.results) {
    t.equal(r.waves[0]!.failures, 0, `${r.variant}: every guest joined and left`)
    t.same(r.samples.map((s) => s.at), ['start', 'after wave 1'])
    for (const s of r.samples) {
      t.ok(s.kernel.rss > 0 && s.kernel.anonymous > 0, `${r.variant} ${s.at}: RSS from /proc`)
      t.ok(s.kernel.pages256k > 0 && s.kernel.pages256k < s.kernel.anonymous, `${r.variant} ${s.at}: V8's 256 KiB pages from smaps`)
      t.ok(s.probe!.gc && s.probe!.memory.heapUsed > 0, `${r.variant} ${s.at}: V8 heap from the server's probe, after a collection`)
      // gdb may be missing or forbidden to attach (a container without ptrace): then only that figure is absent.
      if (s.malloc) t.ok(s.malloc.arenas >= 1 && s.malloc.systemBytes > 0, `${r.variant} ${s.at}: glibc arenas through gdb`)
      // The variant's environment reaches the server: MALLOC_ARENA_MAX=2 caps its arenas.
      if (s.malloc && r.variant === 'arena2') t.ok(s.malloc.arenas <= 2, `arena2 ${s.at}: ${s.malloc.arenas} arenas`)
    }
  }
})
