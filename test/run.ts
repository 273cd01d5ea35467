// The README's test command: type-checks the project, runs every tap test, and ends with one
// plain summary line ("N passed, N failed") that CI reads.
import { spawn, spawnSync } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const node = process.execPath

const typecheck = spawnSync(node, ['node_modules/typescript/bin/tsc', '--noEmit', '-p', 'tsconfig.json'], {
  cwd: root,
  stdio: 'inherit',
})
if (typecheck.status !== 0) {
  process.stdout.write('typecheck failed\n0 passed, 1 failed\n')
  process.exit(1)
}

const tap = spawn(node, ['node_modules/tap/dist/esm/run.mjs', '--reporter=tap', ...process.argv.slice(2)], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
})
let summary = { total: 0, pass: 0, fail: 0, skip: 0 }
createInterface({ input: tap.stdout! }).on('line', (line) => {
  process.stdout.write(`${line}\n`)
  // tap's closing comment, e.g. "# { total: 26, pass: 25, fail: 1 }"
  const m = /^# \{ total: (\d+)(.*)\}$/.exec(line)
  if (m) {
    const count = (key: string): number => Number(new RegExp(`${key}: (\\d+)`).exec(m[2]!)?.[1] ?? 0)
    summary = { total: Number(m[1]), pass: count('pass'), fail: count('fail'), skip: count('skip') + count('todo') }
  }
})
tap.on('close', (code) => {
  const failed = code !== 0 && summary.fail === 0 ? 1 : summary.fail
  process.stdout.write(`${summary.pass} passed, ${failed} failed${summary.skip ? `, ${summary.skip} skipped` : ''}\n`)
  process.exit(code ?? 1)
})
