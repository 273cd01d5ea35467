import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, buildListening, createOwner } from '../../helper.ts'
import { eventually } from '../../eventually.ts'
import { SignalingClient } from '../../signaling-client.ts'

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? (-?[0-9.]+(?:e[+-]?[0-9]+)?|NaN|[+-]Inf)$/

/** parse checks every line of the exposition format and returns samples keyed `name{labels}`. */
function parse(t: Test, text: string): Map<string, number> {
  const samples = new Map<string, number>()
  const typed = new Set<string>()
  t.ok(text.endsWith('\n'), 'ends with a newline')
  for (const line of text.slice(0, -1).split('\n')) {
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge)$/.exec(line)
    if (type) {
      typed.add(type[1]!)
      continue
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$/.test(line)) continue
    const m = SAMPLE.exec(line)
    if (!m) {
      t.fail(`not a valid exposition line: ${JSON.stringify(line)}`)
      continue
    }
    t.ok(typed.has(m[1]!), `${m[1]} has a TYPE before its samples`)
    samples.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]))
  }
  return samples
}

async function scrape(t: Test, app: FastifyInstance): Promise<Map<string, number>> {
  const res = await app.inject({ url: '/metrics', remoteAddress: '127.0.0.1' })
  t.equal(res.statusCode, 200, res.body)
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  return parse(t, res.body)
}

t.test('the page parses and reports workers, license and the process', async (t) => {
  const app = await build(t)
  const m = await scrape(t, app)
  t.equal(m.get('veche_rooms'), 0)
  t.equal(m.get('veche_participants{kind="guest"}'), 0)
  t.equal(m.get('veche_media_worker_up{worker="0"}'), 1)
  t.ok((m.get('veche_media_worker_cpu_seconds_total{worker="0"}') ?? -1) >= 0, 'worker CPU is reported')
  t.equal(m.get('veche_media_receive_bits_per_second'), 0)
  t.equal(m.get('veche_license_status{status="active"}'), 1)
  t.equal(m.get('veche_license_status{status="unlicensed"}'), 0)
  t.ok((m.get('process_resident_memory_bytes') ?? 0) > 10e6)
  t.ok((m.get('process_cpu_seconds_total') ?? 0) > 0)
  t.equal(m.get('veche_signaling_joins_total'), 0)
})

t.test('unlicensed: the license gauge says so', async (t) => {
  const app = await build(t, { license: false })
  const m = await scrape(t, app)
  t.equal(m.get('veche_license_status{status="unlicensed"}'), 1)
  t.equal(m.get('veche_license_status{status="active"}'), 0)
})

t.test('without a token only loopback may read it', async (t) => {
  const app = await build(t)
  for (const remoteAddress of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) {
    t.equal((await app.inject({ url: '/metrics', remoteAddress })).statusCode, 200, `${remoteAddress} may`)
  }
  for (const remoteAddress of ['10.1.2.3', '::ffff:10.1.2.3', 'fe80::1', '128.0.0.1']) {
    const res = await app.inject({ url: '/metrics', remoteAddress })
    t.equal(res.statusCode, 403, `${remoteAddress} may not`)
    t.match(res.json(), { error: { code: 'forbidden', message: /set metrics\.token/ } })
  }
})

t.test('with a token, everyone (loopback too) must send it', async (t) => {
  const app = await build(t, { set: ['metrics.token=s3cret-token'] })
  const none = await app.inject({ url: '/metrics', remoteAddress: '127.0.0.1' })
  t.equal(none.statusCode, 401)
  t.equal(none.headers['www-authenticate'], 'Bearer realm="veche-metrics"')
  t.equal((await app.inject({ url: '/metrics', remoteAddress: '10.1.2.3', headers: { authorization: 'Bearer wrong' } })).statusCode, 401)
  t.equal((await app.inject({ url: '/metrics', remoteAddress: '10.1.2.3', headers: { authorization: 's3cret-token' } })).statusCode, 401, 'the Bearer scheme is required')
  t.equal((await app.inject({ url: '/metrics', remoteAddress: '10.1.2.3', headers: { authorization: 'Bearer s3cret-token' } })).statusCode, 200)
})

t.test('joins and refused joins through the real signaling socket move the counters', async (t) => {
  const { app, port } = await buildListening(t)
  const owner = await createOwner(app)
  const title = 'Совет директоров'
  const room = (await app.inject({ method: 'POST', url: '/api/rooms', headers: { cookie: owner }, payload: { title } })).json().room.id as string
  const url = `wss://127.0.0.1:${port}/api/rooms/${room}/signal`

  const before = await scrape(t, app)
  const alice = await SignalingClient.connect(url, owner)
  t.teardown(() => alice.close())
  t.ok((await alice.request('join')).ok)
  const guest = await SignalingClient.connect(url)
  t.teardown(() => guest.close())
  t.match(await guest.request('join', {}), { ok: false, error: { code: 'bad_request' } })
  t.ok((await guest.request('join', { displayName: 'Гость Петров' })).ok)
  t.match(await guest.request('join', { displayName: 'Гость Петров' }), { ok: false, error: { code: 'already_joined' } })
  t.ok((await guest.request('createTransport', { direction: 'recv' })).ok)

  const res = await app.inject({ url: '/metrics', remoteAddress: '127.0.0.1' })
  const after = parse(t, res.body)
  t.equal(after.get('veche_signaling_joins_total')! - before.get('veche_signaling_joins_total')!, 2)
  t.equal(after.get('veche_signaling_join_failures_total{code="bad_request"}'), 1)
  t.equal(after.get('veche_signaling_join_failures_total{code="already_joined"}'), 1)
  t.equal(after.get('veche_rooms'), 1)
  t.equal(after.get('veche_participants{kind="internal"}'), 1)
  t.equal(after.get('veche_participants{kind="guest"}'), 1)
  t.equal(after.get('veche_media_send_bits_per_second'), 0, 'transport stats were read (nothing sent yet)')
  t.notMatch(res.body, /Петров|Ольга|Совет/, 'no names or titles anywhere on the page')
  t.notMatch(res.body, new RegExp(room), 'no room ids either')

  guest.close()
  alice.close()
  await eventually('the room to close', () => (app.roomRegistry.size === 0 ? true : undefined))
  const empty = await scrape(t, app)
  t.equal(empty.get('veche_rooms'), 0, 'the room closed when everyone left')
  t.equal(empty.get('veche_participants{kind="guest"}'), 0)
})
