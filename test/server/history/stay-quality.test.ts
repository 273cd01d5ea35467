// Each stay's connection quality in the meeting history: what the browser reports through signaling
// `reportQuality` (validated: shape, bounds, pace, plausibility) and how long the server held video
// back for the participant's downlink, written when the stay ends and shown in the REST answer.
import t from 'tap'
import { StayQuality } from '../../../server/sfu/stay-quality.ts'
import { roomWithPeople } from '../../helper.ts'
import { eventually } from '../../eventually.ts'
import { SignalingClient } from '../../signaling-client.ts'

t.test('StayQuality keeps the last report and sums the server limits by the worst consumer', async (t) => {
  const joined = 1_000_000
  const q = new StayQuality(joined)
  t.same(q.summary(joined + 1000), { goodMs: null, fairMs: null, poorMs: null, videoLoweredMs: 0, audioOnlyMs: 0 }, 'nothing reported yet')

  q.report({ goodMs: 10_000, fairMs: 4000, poorMs: 1000 }, joined + 15_000)
  t.throws(() => q.report({ goodMs: 10_000, fairMs: 4000, poorMs: 1000 }, joined + 17_000), { code: 'bad_request', message: /at most one report every 5 s/ })
  t.throws(() => q.report({ goodMs: 9000, fairMs: 4000, poorMs: 1000 }, joined + 30_000), { code: 'bad_request', message: /totals went down/ })
  t.throws(() => q.report({ goodMs: 60_000, fairMs: 0, poorMs: 0 }, joined + 30_000), { code: 'bad_request', message: /60000 ms reported but this stay began 30000 ms ago/ })
  q.report({ goodMs: 20_000, fairMs: 8000, poorMs: 1000 }, joined + 30_000)

  // Two video consumers: one lowered from 40 s, the other audio only 50-55 s; everything back at 60 s.
  q.limit('a', 'lowered', joined + 40_000)
  q.limit('b', 'audioOnly', joined + 50_000)
  q.limit('b', 'none', joined + 55_000)
  q.limit('a', 'none', joined + 60_000)
  q.limit('a', 'none', joined + 61_000)
  t.same(q.summary(joined + 70_000), { goodMs: 20_000, fairMs: 8000, poorMs: 1000, videoLoweredMs: 15_000, audioOnlyMs: 5000 })

  q.limit('c', 'lowered', joined + 80_000)
  t.equal(q.summary(joined + 83_000).videoLoweredMs, 18_000, 'a limit still on counts up to the summary')
})

t.test('reportQuality: garbage is refused with a clear error; a stay\'s report lands in the history and its REST answer', async (t) => {
  const { app, owner, url } = await roomWithPeople(t, 'Связь')
  const olga = await SignalingClient.connect(url, owner)
  t.teardown(() => olga.close())
  t.match(await olga.request('reportQuality', { goodMs: 1000, fairMs: 0, poorMs: 0 }), { ok: false, error: { code: 'not_joined' } })
  t.ok((await olga.request('join')).ok)

  t.match(await olga.request('reportQuality', { goodMs: -1, fairMs: 0, poorMs: 0 }), { ok: false, error: { code: 'bad_request', message: /reportQuality: \/goodMs/ } })
  t.match(await olga.request('reportQuality', { goodMs: '1000', fairMs: 0, poorMs: 0 }), { ok: false, error: { code: 'bad_request' } })
  t.match(await olga.request('reportQuality', { goodMs: 1.5, fairMs: 0, poorMs: 0 }), { ok: false, error: { code: 'bad_request' } })
  t.match(await olga.request('reportQuality', { goodMs: 1000, fairMs: 0 }), { ok: false, error: { code: 'bad_request', message: /poorMs/ } })
  t.match(await olga.request('reportQuality', { goodMs: 1000, fairMs: 0, poorMs: 0, extra: 1 }), { ok: false, error: { code: 'bad_request' } })
  t.match(await olga.request('reportQuality', { goodMs: 1e12, fairMs: 0, poorMs: 0 }), { ok: false, error: { code: 'bad_request' } }, 'bounded')
  t.match(await olga.request('reportQuality', { goodMs: 3_600_000, fairMs: 0, poorMs: 0 }), {
    ok: false,
    error: { code: 'bad_request', message: /3600000 ms reported but this stay began \d+ ms ago/ },
  })
  t.match(await olga.request('reportQuality', { goodMs: 1000, fairMs: 500, poorMs: 200 }), { ok: true })
  t.match(await olga.request('reportQuality', { goodMs: 1000, fairMs: 500, poorMs: 300 }), {
    ok: false,
    error: { code: 'bad_request', message: /at most one report every 5 s/ },
  })
  t.ok((await olga.request('leave')).ok)

  const stay = await eventually('the stay to end with its quality', async () => {
    const [meeting] = (await app.meetingHistory.repository.list({ from: 0, to: Date.now() + 1000 })).meetings
    const detail = meeting ? await app.meetingHistory.repository.get(meeting.id) : undefined
    return detail?.participantList[0]?.quality ? detail : undefined
  })
  t.same(stay.participantList[0]!.quality, { goodMs: 1000, fairMs: 500, poorMs: 200, videoLoweredMs: 0, audioOnlyMs: 0 })

  const res = await app.inject({ method: 'GET', url: `/api/meetings/${stay.id}`, headers: { cookie: owner } })
  t.equal(res.statusCode, 200)
  t.same(res.json().participants[0].quality, { goodMs: 1000, fairMs: 500, poorMs: 200, worst: 'poor', videoLoweredMs: 0, audioOnlyMs: 0 })
})
