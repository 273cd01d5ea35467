// A page of another origin (another service on the same host, a sibling intranet host) cannot use an
// employee's session: its state changes and signaling connections are refused, and a bodyless state
// change must say it is JSON. The web client's own requests, the CLI and curl keep working.
import t from 'tap'
import WebSocket from 'ws'
import { buildListening, createMember, createOwner } from '../../helper.ts'
import { httpsCall } from '../../https-call.ts'
import { SignalingClient } from '../../signaling-client.ts'

interface Answer {
  status: number
  body: { error?: { code: string; message: string } } & Record<string, unknown>
}

/** call makes a real https request with exactly the headers given, and reads the JSON answer. */
async function call(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const res = await httpsCall(port, method, path, headers, body)
  return { status: res.status, body: res.text ? JSON.parse(res.text) : {} }
}

/** upgrade opens a WebSocket with the given Origin and cookie; resolves with the HTTP refusal's status, or 101. */
function upgrade(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { rejectUnauthorized: false, headers })
    socket.once('open', () => {
      socket.close()
      resolve(101)
    })
    socket.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode!)
      socket.terminate()
    })
    socket.once('error', reject)
  })
}

t.test('a page of another origin cannot block a member with the owner cookie, nor sign anyone in', async (t) => {
  const { app, port } = await buildListening(t, { set: ['server.publicUrl=https://meet.corp.example'] })
  const owner = await createOwner(app)
  await createMember(app, owner, 'boris@corp.example', 'Борис')
  const users = (await app.inject({ url: '/api/users', headers: { cookie: owner } })).json().users as { id: string; email: string }[]
  const boris = users.find((u) => u.email === 'boris@corp.example')!.id
  const blocked = async (): Promise<boolean> =>
    ((await app.inject({ url: '/api/users', headers: { cookie: owner } })).json().users as { id: string; blockedAt: number | null }[]).find(
      (u) => u.id === boris,
    )!.blockedAt !== null
  const block = `/api/users/${boris}/block`

  // The attack of the report: a no-cors bodyless POST from a sibling service, cookie attached.
  for (const origin of ['https://wiki.corp.example', `https://127.0.0.1:${port + 1}`, `http://127.0.0.1:${port}`, 'null']) {
    const res = await call(port, 'POST', block, { cookie: owner, origin })
    t.equal(res.status, 403, `refused from ${origin}`)
    t.equal(res.body.error?.code, 'foreign_origin')
    t.match(res.body.error?.message, /server\.publicUrl/, 'the refusal names the setting to check')
  }
  // The same from a page that somehow sent no Origin: not JSON, so refused as well.
  const bare = await call(port, 'POST', block, { cookie: owner })
  t.equal(bare.status, 415)
  t.equal(bare.body.error?.code, 'json_required')
  const asForm = await call(port, 'POST', block, { cookie: owner, 'content-type': 'text/plain' }, 'x')
  t.equal(asForm.status, 415, 'a text/plain body (what a form can send) is no JSON either')
  t.notOk(await blocked(), 'Boris is still not blocked')

  // Signing someone in from another origin (login CSRF) is refused too, though no cookie is sent.
  const signIn = await call(port, 'POST', '/api/auth/signin', { origin: 'https://wiki.corp.example', 'content-type': 'application/json' }, '{}')
  t.equal(signIn.status, 403)

  // The web client's own request: its Origin (the address it was opened at, or server.publicUrl), JSON type, no body.
  for (const origin of [`https://127.0.0.1:${port}`, 'https://meet.corp.example', 'https://MEET.corp.example:443']) {
    const unblock = await call(port, 'POST', `/api/users/${boris}/unblock`, { cookie: owner, origin, 'content-type': 'application/json' })
    t.equal(unblock.status, 200, `allowed from ${origin}: ${JSON.stringify(unblock.body)}`)
  }
  const own = await call(port, 'POST', block, { cookie: owner, origin: `https://127.0.0.1:${port}`, 'content-type': 'application/json' })
  t.equal(own.status, 200)
  t.ok(await blocked(), 'the owner on the Users page blocks Boris')

  // Programs (the CLI, curl, probes) send no Origin and no session cookie: nothing changes for them.
  t.equal((await call(port, 'GET', '/healthz', {})).status, 200)
  t.equal((await call(port, 'POST', '/api/auth/signout', {})).status, 204, 'a bodyless POST without a session needs no type')
  const curl = await call(port, 'POST', '/api/auth/signin', { 'content-type': 'application/json' }, JSON.stringify({ email: 'x@corp.example', password: 'y' }))
  t.equal(curl.status, 401, 'sign-in from a program reaches the password check')
  // Reading is never refused: a cross-origin GET cannot read the answer anyway.
  t.equal((await call(port, 'GET', '/api/auth/me', { cookie: owner, origin: 'https://wiki.corp.example' })).status, 200)
})

t.test('a page of another origin cannot open the signaling WebSocket with the owner cookie', async (t) => {
  const { app, port } = await buildListening(t)
  const owner = await createOwner(app)
  const room = (await app.inject({ method: 'POST', url: '/api/rooms', headers: { cookie: owner }, payload: { title: 'Board' } })).json().room.id
  const url = `wss://127.0.0.1:${port}/api/rooms/${room}/signal`

  t.equal(await upgrade(url, { cookie: owner, origin: 'https://wiki.corp.example' }), 403, 'a sibling host')
  t.equal(await upgrade(url, { cookie: owner, origin: `https://127.0.0.1:${port + 1}` }), 403, 'another service on this host')
  t.equal(await upgrade(url, { origin: 'https://wiki.corp.example' }), 403, 'a foreign page without the cookie as well')
  t.equal(app.roomRegistry.participants(room), 0, 'nobody joined')

  // The meeting page's own connection, and a program's (no Origin), join as before.
  t.equal(await upgrade(url, { cookie: owner, origin: `https://127.0.0.1:${port}` }), 101)
  const program = await SignalingClient.connect(url, owner)
  t.teardown(() => program.close())
  t.match(await program.request('join'), { ok: true, data: { self: { kind: 'internal' } } })
})
