// A smoke run of the benchmark instruments at tiny sizes: the real server process and bare
// mediasoup each carry a 3-person room of synthetic peers, and the figures come out sane. Not a
// timed test: it asserts that the instruments measure, not what they measure.
import t from 'tap'
import { startReceivers } from '../../bench/lib/bench-env.ts'
import { runStep } from '../../bench/lib/load-step.ts'
import { BaselineTarget } from '../../bench/lib/targets/baseline.ts'
import { VecheTarget } from '../../bench/lib/targets/veche.ts'
import { rssBytes } from '../../bench/lib/proc.ts'

t.test('load steps measure Veche and bare mediasoup alike', async (t) => {
  const receivers = startReceivers()
  const veche = await VecheTarget.start({ workers: 1 })
  const baseline = await BaselineTarget.start()
  t.teardown(async () => {
    await veche.close()
    await baseline.close()
    await receivers.plain.close()
  })
  const spec = { rooms: 1, participants: 3, srtp: false, warmupMs: 300, measureMs: 1000 }
  for (const target of [veche, baseline]) {
    const s = await runStep(target, spec, receivers.plain, rssBytes(target.processes().control), [])
    t.equal(s.incomplete, 0, `${target.name}: every subscriber gets every stream`)
    // 3 people x 2 others x 320 packets/s for 1 s, give or take scheduling.
    t.ok(s.forwarded > 3 * 2 * 320 * 0.7, `${target.name}: ${s.forwarded} packets forwarded`)
    t.ok(s.loss < 0.02, `${target.name}: loss ${s.loss}`)
    t.ok(s.workerCpuUsPerPacket > 0 && s.workerCpuUsPerPacket < 1000, `${target.name}: ${s.workerCpuUsPerPacket} us per packet`)
    t.ok(s.delayP50Ms >= 0 && s.delayP50Ms < 100, `${target.name}: delay p50 ${s.delayP50Ms} ms`)
  }
  const srtp = await runStep(veche, { ...spec, participants: 2, srtp: true }, receivers.node, 0, [])
  t.ok(srtp.forwarded > 2 * 320 * 0.7 && srtp.loss < 0.02, `SRTP: ${srtp.forwarded} packets, loss ${srtp.loss}`)
  // SRTP sent and received by the C sink (libsrtp2), in the suites browsers negotiate: on connect
  // the server switches its transport to the peer's suite and answers with its new key.
  if (receivers.srtp !== receivers.node) {
    for (const suite of ['AES_CM_128_HMAC_SHA1_80', 'AEAD_AES_128_GCM', 'AEAD_AES_256_GCM'] as const) {
      for (const target of [veche, baseline]) {
        const s = await runStep(target, { ...spec, srtp: true, suite }, receivers.srtp, 0, [])
        t.equal(s.srtpErrors, 0, `${target.name} ${suite}: every packet protected and unprotected`)
        t.ok(s.forwarded > 3 * 2 * 320 * 0.7 && s.loss < 0.02, `${target.name} ${suite}: ${s.forwarded} packets, loss ${s.loss}`)
      }
    }
  }
  // Sampled receivers: two of four subscribers counted, the others on null ports the sink holds.
  if (receivers.nulls) {
    const sampled = await runStep(veche, { ...spec, participants: 4, sampleReceivers: 2 }, receivers.plain, 0, [], receivers.nulls)
    t.equal(sampled.countedSubscribers, 2, 'two of four subscribers counted')
    t.ok(sampled.nullPortPackets > 2 * 3 * 320 * 0.7, `null ports got ${sampled.nullPortPackets} packets`)
    t.ok(Math.abs(sampled.deliveryGap) < 0.05, `forwarded counts every subscriber: gap ${sampled.deliveryGap}`)
  }
})
