// Prints what two people in one meeting receive when the guest's network is bad: two real Chromium
// pages on the real server, the guest's media through a userspace UDP relay (bench/lib/udp-relay.ts)
// that loses, delays, reorders or caps packets. One fresh meeting per condition.
// Run: bin/veche-node bench/network-conditions.ts [--conditions loss3,cap400] [--duration 30] [--out FILE] [--verbose]
import { mkdirSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { CONDITIONS, runCondition, startCallBench, type ConditionResult, type SideResult } from './lib/network-call.ts'
import { fmt, table } from './lib/report.ts'

const { values } = parseArgs({
  options: {
    conditions: { type: 'string', default: CONDITIONS.map((c) => c.name).join(',') },
    duration: { type: 'string', default: '30' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
})
const names = values.conditions.split(',').filter(Boolean)
const unknown = names.filter((n) => !CONDITIONS.some((c) => c.name === n))
if (unknown.length > 0) {
  console.error(`unknown condition(s) ${unknown.join(', ')}; known: ${CONDITIONS.map((c) => c.name).join(', ')}`)
  process.exit(2)
}
const durationS = Number(values.duration)
const out = values.out ?? join('bench', 'results', `network-conditions-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)

const bench = await startCallBench()
const results: ConditionResult[] = []
const loadBefore = loadavg()[0]!
try {
  for (const name of names) {
    const condition = CONDITIONS.find((c) => c.name === name)!
    console.log(`${name}: ${condition.description} (${durationS} s)`)
    const r = await runCondition(bench, condition, { durationS, seed: Number(values.seed), ...(values.verbose ? { log: console.log } : {}) })
    results.push(r)
    const up = r.relay.up
    const down = r.relay.down
    console.log(
      `  relay: up ${up.packets} pkts, ${up.lost} lost, ${up.queueDrops} queue drops, ${up.reordered} reordered; ` +
        `down ${down.packets} pkts, ${down.lost} lost, ${down.queueDrops} queue drops, ${down.reordered} reordered; load ${fmt(r.loadAverage)}`,
    )
  }
} finally {
  await bench.close()
}

const row = (r: ConditionResult, who: string, s: SideResult): (string | number)[] => [
  r.condition,
  who,
  `${fmt(s.during.fps, 1)} (${fmt(s.reference.fps, 1)})`,
  `${s.during.freezes}/${fmt(s.during.frozenS, 1)}/${fmt(s.during.longestFreezeS, 1)}`,
  s.during.blackSeconds,
  `${s.during.height}p (${s.during.minHeight}p)`,
  fmt(s.during.concealedPct, 1),
  fmt(s.during.audibleConcealedPct, 1),
  s.during.fecPackets,
  `${fmt(s.during.videoLossPct, 1)}/${fmt(s.during.audioLossPct, 1)}`,
  `${s.during.nacks}/${s.during.plis}/${s.during.keyFrames}`,
  s.downS === undefined ? '-' : fmt(s.downS, 0),
  s.recoveredS === undefined ? 'no' : fmt(s.recoveredS, 0),
]
console.log()
console.log(
  table(
    ['condition', 'receiver', 'fps (clean)', 'freezes n/s/max s', '0-fps s', 'height (min)', 'conceal %', 'audible %', 'fec pkts', 'loss % v/a', 'nack/pli/kf', 'down s', 'back s'],
    results.flatMap((r) => [row(r, 'owner<-guest', r.ownerReceives), row(r, 'guest<-owner', r.guestReceives)]),
  ),
)
console.log()
console.log('owner<-guest: the guest\'s uplink is impaired; guest<-owner: its downlink. fps (clean): during the condition (before it).')
console.log('freezes: count/total/longest (Chromium\'s freezeCount). conceal %: concealed audio samples; audible %: outside silence; fec pkts: audio packets received with in-band FEC.')
console.log('nack/pli/kf: NACKs and PLIs the receiver sent, key frames it decoded.')
console.log('down s: until the received picture got smaller; back s: after the condition until 80% of the clean frame rate at the clean size.')
console.log(`audio codec at the guest: ${results[0]?.audioCodec ?? '-'}`)
console.log(`load average (1 min): ${fmt(loadBefore)} at the start, ${fmt(loadavg()[0]!)} at the end (2 cores; figures under load are indicative)`)
mkdirSync(dirname(out), { recursive: true })
writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), durationS, loadBefore, loadAfter: loadavg()[0], results }, null, 2))
console.log(`written: ${out}`)
