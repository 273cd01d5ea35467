// Compares two JSON results of the same bench command, step by step.
// Run: bin/veche-node bench/compare.ts BEFORE.json AFTER.json
import { readFileSync } from 'node:fs'
import { fmt, pct, table } from './lib/report.ts'
import { percentile } from './lib/stats.ts'

interface Summary {
  median: number
  spread: number
}
interface MediaRow {
  name: string
  veche: Summary
  ratio: number
  loss: Summary
  p50: Summary
  nodeCpu: Summary
  nodeRss: Summary
}
interface JoinSeries {
  target: string
  load: string
  firstPacketMs: number[]
}

const [a, b] = process.argv.slice(2).map((f) => JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>)
if (!a || !b || a.kind !== b.kind) {
  process.stderr.write('usage: bench/compare.ts BEFORE.json AFTER.json (two results of the same command)\n')
  process.exit(2)
}
const change = (x: number, y: number): string => (Number.isFinite(x) && Number.isFinite(y) && x !== 0 ? `${y > x ? '+' : ''}${(((y - x) / x) * 100).toFixed(1)}%` : '-')

if (a.kind === 'media-load') {
  const before = new Map((a.rows as MediaRow[]).map((r) => [r.name, r]))
  const rows = (b.rows as MediaRow[]).flatMap((r) => {
    const o = before.get(r.name)
    if (!o) return []
    return [[
      r.name,
      `${fmt(o.veche.median)} -> ${fmt(r.veche.median)}`,
      change(o.veche.median, r.veche.median),
      `±${Math.round((Math.max(o.veche.spread, r.veche.spread) * 100) / 2)}%`,
      `${fmt(o.ratio, 3)} -> ${fmt(r.ratio, 3)}`,
      `${pct(o.loss.median)} -> ${pct(r.loss.median)}`,
      `${fmt(o.p50.median)} -> ${fmt(r.p50.median)}`,
      `${pct(o.nodeCpu.median, 3)} -> ${pct(r.nodeCpu.median, 3)}`,
      `${fmt(o.nodeRss.median / 1024, 0)} -> ${fmt(r.nodeRss.median / 1024, 0)} KiB`,
    ]]
  })
  process.stdout.write(`${table(['step', 'worker us/pkt', 'change', 'noise', 'veche/base', 'loss', 'delay p50 ms', 'node cpu/peer', 'node rss/peer'], rows)}\n`)
  const cap = (r: Record<string, unknown>): number => (r.capacities as Record<string, { size: number }>)?.veche?.size ?? Number.NaN
  process.stdout.write(`one-worker capacity (veche): ${cap(a)} -> ${cap(b)} participants\n`)
} else {
  const key = (s: JoinSeries): string => `${s.target} ${s.load}`
  const before = new Map((a.series as JoinSeries[]).map((s) => [key(s), s]))
  const rows = (b.series as JoinSeries[]).flatMap((s) => {
    const o = before.get(key(s))
    if (!o) return []
    return [0.5, 0.95, 0.99].map((q) => {
      const x = percentile(o.firstPacketMs, q)
      const y = percentile(s.firstPacketMs, q)
      return [key(s), `p${q * 100}`, `${fmt(x, 1)} -> ${fmt(y, 1)} ms`, change(x, y)]
    })
  })
  process.stdout.write(`${table(['series', 'quantile', 'first media', 'change'], rows)}\n`)
}
