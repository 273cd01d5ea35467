// Hosts, lobby, PIN and lock through real signaling connections to a listening https app.
import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildListening, createMember, createOwner, roomWithPeople } from '../../helper.ts'
import { SignalingClient } from '../../signaling-client.ts'

interface Meeting {
  app: FastifyInstance
  owner: string
  member: string
  roomId: string
  url: string
  connect(cookie?: string): Promise<SignalingClient>
  settings(body: object, cookie?: string): Promise<{ statusCode: number; json(): { room: Record<string, unknown> } }>
}

async function meeting(t: Test): Promise<Meeting> {
  const room = await roomWithPeople(t, 'Standup')
  const { app, owner, roomId, url } = room
  return {
    ...room,
    async connect(cookie) {
      const c = await SignalingClient.connect(url, cookie)
      t.teardown(() => c.close())
      return c
    },
    settings: (payload, cookie = owner) => app.inject({ method: 'PATCH', url: `/api/rooms/${roomId}`, headers: { cookie }, payload }),
  }
}

const self = (reply: { data?: unknown }) => (reply.data as { peerId: string; hosts: string[] })

t.test('the creator hosts; others calling host methods are refused with forbidden, nothing changes', async (t) => {
  const m = await meeting(t)
  const olga = await m.connect(m.owner)
  const olgaJoin = self(await olga.request('join'))
  t.same(olgaJoin.hosts, [olgaJoin.peerId], 'the creator is host')
  const guest = await m.connect()
  const guestJoin = self(await guest.request('join', { displayName: 'Гость' }))
  t.same(guestJoin.hosts, [olgaJoin.peerId])
  const calls: [string, object][] = [
    ['mutePeer', { peerId: olgaJoin.peerId }],
    ['muteAll', {}],
    ['cameraOff', { peerId: olgaJoin.peerId }],
    ['removeParticipant', { peerId: olgaJoin.peerId }],
    ['makeHost', { peerId: guestJoin.peerId }],
    ['setLocked', { locked: true }],
    ['endMeeting', {}],
    ['admit', { peerId: 'x' }],
    ['reject', { peerId: 'x' }],
  ]
  for (const [method, data] of calls) {
    t.match(await guest.request(method, data), { ok: false, error: { code: 'forbidden', message: 'only a host of this meeting may do that' } }, method)
  }
  t.match(await guest.request('mutePeer', { peerId: olgaJoin.peerId, extra: 1 }), { ok: false, error: { code: 'bad_request' } })
  t.equal(m.app.roomRegistry.participants(m.roomId), 2, 'both still in the meeting')
  t.notOk(olga.notifications.some((n) => ['mutedByHost', 'removed', 'lockChanged', 'roomClosed'].includes(n.notification)), 'the host saw nothing happen')
  t.ok((await guest.request('chat', { text: 'still here' })).ok)
})

t.test('host controls: mute one and all, camera off, promote, lock, remove, end', async (t) => {
  const m = await meeting(t)
  const olga = await m.connect(m.owner)
  const olgaId = self(await olga.request('join')).peerId
  const boris = await m.connect(m.member)
  const borisId = self(await boris.request('join')).peerId
  const guest = await m.connect()
  const guestId = self(await guest.request('join', { displayName: 'Гость' })).peerId

  t.match(await olga.request('mutePeer', { peerId: guestId }), { ok: true })
  t.match(await guest.waitFor('mutedByHost'), { source: 'mic' })
  t.match(await olga.request('cameraOff', { peerId: borisId }), { ok: true })
  t.match(await boris.waitFor('mutedByHost'), { source: 'camera' })
  t.match(await olga.request('mutePeer', { peerId: 'nobody' }), { ok: false, error: { code: 'not_found' } })
  t.match(await olga.request('muteAll'), { ok: true, data: { muted: 0 } })
  t.equal(olga.notifications.filter((n) => n.notification === 'mutedByHost').length, 0, 'mute all leaves the host alone')

  t.match(await olga.request('makeHost', { peerId: borisId }), { ok: true })
  t.match(await guest.waitFor('hostChanged', (d: { hosts: string[] }) => d.hosts.length === 2), { hosts: [olgaId, borisId] })
  t.match(await boris.request('setLocked', { locked: true }), { ok: true, data: { locked: true } })
  t.match(await guest.waitFor('lockChanged'), { locked: true })

  t.match(await boris.request('removeParticipant', { peerId: guestId }), { ok: true })
  await guest.waitFor('removed')
  t.equal((await guest.closed).code, 4000)
  t.match(await olga.waitFor('peerLeft', (d: { peerId: string }) => d.peerId === guestId), {})
  const again = await m.connect()
  t.match(await again.request('join', { displayName: 'Гость' }), { ok: false, error: { code: 'room_locked' } }, 'a removed guest cannot rejoin a locked room')
  const borisAgain = await m.connect(m.member)
  boris.close()
  t.match(await borisAgain.request('join'), { ok: true }, 'a host gets into the locked room')

  t.match(await olga.request('endMeeting'), { ok: true })
  t.match(await borisAgain.waitFor('roomClosed'), { reason: 'ended' })
  t.equal((await borisAgain.closed).code, 4000)
  await new Promise((r) => setTimeout(r, 50))
  t.equal(m.app.roomRegistry.size, 0, 'the meeting is over')
})

t.test('when the last host leaves, the oldest employee takes over', async (t) => {
  const m = await meeting(t)
  const guest = await m.connect()
  const guestJoin = self(await guest.request('join', { displayName: 'Гость' }))
  t.same(guestJoin.hosts, [], 'a guest alone hosts nothing')
  const boris = await m.connect(m.member)
  const borisId = self(await boris.request('join')).peerId
  t.match(await guest.waitFor('hostChanged'), { hosts: [borisId] }, 'a hostless meeting gets its first employee as host')
  const olga = await m.connect(m.owner)
  const olgaId = self(await olga.request('join')).peerId
  t.match(await guest.waitFor('hostChanged', (d: { hosts: string[] }) => d.hosts.length === 2), { hosts: [borisId, olgaId] }, 'the creator hosts too')
  await boris.request('leave')
  t.match(await guest.waitFor('hostChanged', (d: { hosts: string[] }) => d.hosts.length === 1 && d.hosts[0] === olgaId), { hosts: [olgaId] })
  olga.close()
  await guest.waitFor('hostChanged', (d: { hosts: string[] }) => d.hosts.length === 0)
  t.equal(m.app.roomRegistry.participants(m.roomId), 1, 'the room survives its hosts dropping')
})

t.test('lobby: guests wait, hosts see the queue live, admit and reject', async (t) => {
  const m = await meeting(t)
  t.equal((await m.settings({ lobby: 'guests' })).statusCode, 200)
  const olga = await m.connect(m.owner)
  t.match(await olga.request('join'), { ok: true, data: { lobby: [] } })
  const guest = await m.connect()
  const waiting = await guest.request('join', { displayName: 'Гость' })
  t.match(waiting, { ok: true, data: { waiting: true } })
  const waiterId = (waiting.data as { peerId: string }).peerId
  t.match(await olga.waitFor('lobbyChanged'), { queue: [{ id: waiterId, displayName: 'Гость', kind: 'guest' }] })
  t.match(await guest.request('chat', { text: 'hi' }), { ok: false, error: { code: 'not_joined' } }, 'no chat while waiting')
  t.equal(m.app.roomRegistry.participants(m.roomId), 1, 'a waiter is not a participant')
  t.match(await guest.request('join', { displayName: 'Гость' }), { ok: true, data: { waiting: true } }, 'asking again: still waiting')
  const boris = await m.connect(m.member)
  t.notMatch(await boris.request('join'), { data: { waiting: true } }, 'employees do not wait in guests mode')

  t.match(await olga.request('admit', { peerId: waiterId }), { ok: true })
  await guest.waitFor('admitted')
  const entered = await guest.request('join', {})
  t.match(entered, { ok: true, data: { self: { displayName: 'Гость', kind: 'guest' } } })
  t.match(await olga.waitFor('lobbyChanged', (d: { queue: unknown[] }) => d.queue.length === 0), { queue: [] })
  t.match(await olga.waitFor('peerJoined', (d: { kind: string }) => d.kind === 'guest'), { displayName: 'Гость' })

  const second = await m.connect()
  const secondId = self(await second.request('join', { displayName: 'Второй' })).peerId
  t.match(await olga.request('reject', { peerId: secondId }), { ok: true })
  await second.waitFor('lobbyRejected')
  t.equal((await second.closed).code, 4000)
  t.match(await olga.request('admit', { peerId: secondId }), { ok: false, error: { code: 'not_found' } })

  // Everyone mode: employees wait too, except the creator; a guest's dropped connection leaves the queue.
  t.equal((await m.settings({ lobby: 'everyone' })).statusCode, 200)
  const late = await m.connect(m.member)
  boris.close()
  await olga.waitFor('peerLeft')
  t.match(await late.request('join'), { ok: true, data: { waiting: true } })
  await olga.waitFor('lobbyChanged', (d: { queue: unknown[] }) => d.queue.length === 1)
  late.close()
  await olga.waitFor('lobbyChanged', (d: { queue: unknown[] }) => d.queue.length === 0)
  const polite = await m.connect()
  t.match(await polite.request('join', { displayName: 'Вежливый' }), { ok: true, data: { waiting: true } })
  await olga.waitFor('lobbyChanged', (d: { queue: unknown[] }) => d.queue.length === 1)
  t.match(await polite.request('leave'), { ok: true }, 'a waiter may leave the lobby')
  t.equal(m.app.roomRegistry.get(m.roomId)?.moderation.lobby.size, 0, 'and is out of the queue')
})

t.test('lobby admission respects the license participant limit', async (t) => {
  const { app, port } = await buildListening(t, { license: { limits: { rooms: 2, participantsPerRoom: 2, internalUsers: 5 } } })
  const owner = await createOwner(app)
  const roomId = (await app.inject({ method: 'POST', url: '/api/rooms', headers: { cookie: owner }, payload: { title: 'S' } })).json().room.id
  await app.inject({ method: 'PATCH', url: `/api/rooms/${roomId}`, headers: { cookie: owner }, payload: { lobby: 'guests' } })
  const url = `wss://127.0.0.1:${port}/api/rooms/${roomId}/signal`
  const olga = await SignalingClient.connect(url, owner)
  t.teardown(() => olga.close())
  await olga.request('join')
  const boris = await SignalingClient.connect(url, await createMember(app, owner, 'boris@corp.example', 'Борис'))
  t.teardown(() => boris.close())
  t.match(await boris.request('join'), { ok: true })
  const guest = await SignalingClient.connect(url)
  t.teardown(() => guest.close())
  const waiting = await guest.request('join', { displayName: 'Гость' })
  t.match(waiting, { ok: true, data: { waiting: true } }, 'a waiter does not count toward the limit')
  t.match(await olga.request('admit', { peerId: (waiting.data as { peerId: string }).peerId }), { ok: false, error: { code: 'room_full', limit: 2 } })
})

t.test('PIN: guests need the right one; employees do not; settings are the creator’s', async (t) => {
  const m = await meeting(t)
  t.equal((await m.settings({ pin: '123' })).statusCode, 400, 'a PIN is 4-12 digits')
  t.equal((await m.settings({ pin: '12ab' })).statusCode, 400)
  t.equal((await m.settings({ lobby: 'sometimes' })).statusCode, 400)
  t.equal((await m.settings({ pin: '4821' }, m.member)).statusCode, 403, 'only the creator')
  const set = await m.settings({ pin: '4821' })
  t.equal(set.statusCode, 200)
  t.match(set.json().room, { pinSet: true, lobby: 'off' })
  t.notMatch(JSON.stringify(set.json()), /4821|scrypt/, 'the PIN is never shown back')
  const pub = await m.app.inject(`/api/rooms/${m.roomId}`)
  t.match(pub.json().room, { pinRequired: true, lobby: 'off' })

  const olga = await m.connect(m.owner)
  t.match(await olga.request('join'), { ok: true })
  const guest = await m.connect()
  t.match(await guest.request('join', { displayName: 'Гость' }), { ok: false, error: { code: 'pin_required' } })
  t.match(await guest.request('join', { displayName: 'Гость', pin: '0000' }), { ok: false, error: { code: 'wrong_pin', message: 'the PIN is wrong' } })
  t.equal(m.app.roomRegistry.participants(m.roomId), 1, 'a wrong PIN lets nobody in')
  t.notOk(olga.notifications.some((n) => n.notification === 'peerJoined'), 'and disturbs nobody')
  t.match(await guest.request('join', { displayName: 'Гость', pin: '4821' }), { ok: true, data: { self: { kind: 'guest' } } })
  const boris = await m.connect(m.member)
  t.match(await boris.request('join'), { ok: true }, 'employees need no PIN')
  t.equal((await m.settings({ pin: null })).json().room.pinSet, false, 'the creator removes the PIN')

  // Guessing: after ten wrong PINs the meeting refuses PINs for a while, even the right one.
  await m.settings({ pin: '9173' })
  const guesser = await m.connect()
  for (let i = 0; i < 10; i++) await guesser.request('join', { displayName: 'Guesser', pin: String(1000 + i) })
  t.match(await guesser.request('join', { displayName: 'Guesser', pin: '9173' }), {
    ok: false,
    error: { code: 'pin_locked', message: /too many wrong PINs for this meeting: try again in 10 min/ },
  })
  t.match(await boris.request('chat', { text: 'still here' }), { ok: true }, 'the meeting itself goes on')
})
