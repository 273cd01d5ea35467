import t from 'tap'
import { build } from '../../helper.ts'

t.test('a licensed app is ready, and says what it checked', async (t) => {
  const app = await build(t)
  const res = await app.inject('/readyz')
  t.equal(res.statusCode, 200)
  t.match(res.json(), {
    status: 'ready',
    failing: [],
    checks: { database: { ok: true }, media: { ok: true, workers: 1, alive: 1 }, license: { ok: true, status: 'active' } },
  })
})

t.test('setup mode (no license) is alive but not ready for meetings', async (t) => {
  const app = await build(t, { license: false })
  t.equal((await app.inject('/healthz')).statusCode, 200, 'liveness is unaffected')
  const res = await app.inject('/readyz')
  t.equal(res.statusCode, 503)
  const body = res.json()
  t.same(body.failing, ['license'])
  t.equal(body.checks.license.status, 'unlicensed')
  t.match(body.checks.license.message, /meetings are unavailable.*setup mode: activate with `veche activate <key>`/)
})

t.test('not ready while the media worker is dead; ready again once it is replaced', async (t) => {
  const app = await build(t)
  const pid = app.workerPool.live()[0]!.pid
  const died = new Promise((resolve) => app.workerPool.once('workerDied', resolve))
  const replaced = new Promise((resolve) => app.workerPool.once('workerReplaced', resolve))
  process.kill(pid, 'SIGKILL')
  await died
  // The replacement is a new process: it cannot have started within the same turn.
  const down = await app.inject('/readyz')
  t.equal(down.statusCode, 503)
  t.same(down.json().failing, ['media'])
  t.match(down.json().checks.media, { ok: false, workers: 1, alive: 0, message: /no media worker is running/ })

  await replaced
  const up = await app.inject('/readyz')
  t.equal(up.statusCode, 200, up.body)
  t.not(app.workerPool.live()[0]!.pid, pid, 'a new worker process')
})
