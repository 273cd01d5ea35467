// The capacity probe at a tiny size: real media workers, real SRTP on loopback. Correctness only
// (a room forms, packets arrive, a size and a peersPerWorker come out); no timing is asserted.
import t from 'tap'
import { createCapacityCheck } from '../../../cli/doctor/checks/capacity.ts'
import { roomFor } from '../../../cli/doctor/capacity/probe.ts'
import { contextWith, doctor, tempDir } from './fixtures/doctor.ts'

t.test('a tiny SRTP room through a real worker gives a meeting size and the peersPerWorker it would set', async (t) => {
  const lines: string[] = []
  const check = createCapacityCheck({ from: 3, max: 3, warmupMs: 600, measureMs: 800, progress: (l) => lines.push(l) })
  const result = await check.run(contextWith(tempDir(t), ['media.peersPerWorker=10000']), false)
  t.match(lines.join('\n'), /room of 3: worker \d+% of a core, (1\.\d|2\.[0-3])k packets\/s forwarded, [\d.]+ us\/packet, loss 0\.00%/, 'the room of 3 forwarded about 3 x 2 x 320 packets/s (a measuring window may catch a few more), none lost')
  t.equal(result.status, 'warning', 'a peersPerWorker above what one worker carries is a warning')
  t.match(result.message, /^one worker carries a \d+-person all-see-all meeting in SRTP \(AEAD_AES_256_GCM/)
  t.match(result.message, /meetings of 2: \d+ per worker, \d+ on \d+; 4: /)
  t.match(result.message, /media\.peersPerWorker would be (\d+) \(set: 10000\)/)
  t.match(result.message, /set media\.peersPerWorker: \d+ in the config file$/)
})

t.test('roomFor: the largest all-see-all room whose forwarding fits', async (t) => {
  t.equal(roomFor(20 * 19 * 320), 20)
  t.equal(roomFor(20 * 19 * 320 - 1), 19)
})

t.test('--list names the capacity probe (a whole run leaves it out: test/cli/doctor/command.test.ts)', async (t) => {
  const r = await doctor(['--list'])
  t.match(r.stdout, /^capacity\s+Media capacity$/m)
})
