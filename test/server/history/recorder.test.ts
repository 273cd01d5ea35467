// The meeting history is written while a real meeting runs: real https server, real signaling
// connections with their own User-Agent and X-Forwarded-For headers, real mediasoup rooms.
import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import WebSocket from 'ws'
import { openDatabase } from '../../../server/db/database.ts'
import { createDb } from '../../../server/db/engine.ts'
import { createMeetingHistoryRepository, utcDay, type MeetingDetail } from '../../../server/db/meeting-history-repository.ts'
import { OWNER, roomWithPeople } from '../../helper.ts'
import { eventually } from '../../eventually.ts'

const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0'
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1'

interface Reply {
  id: number
  ok: boolean
  data?: { peerId?: string }
  error?: { code: string }
}

/** A signaling connection with chosen headers (the shared test client sets only a cookie). */
interface Client {
  request(method: string, data?: object): Promise<Reply>
  close(): void
}

async function connect(t: Test, url: string, headers: Record<string, string>): Promise<Client> {
  const socket = new WebSocket(url, { rejectUnauthorized: false, headers })
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('error', reject)
  })
  t.teardown(() => socket.close())
  let next = 1
  const waiting = new Map<number, (r: Reply) => void>()
  socket.on('message', (raw) => {
    const msg = JSON.parse(raw.toString()) as Reply & { notification?: string }
    if (msg.notification === undefined) waiting.get(msg.id)?.(msg)
  })
  return {
    request(method, data = {}) {
      const id = next++
      socket.send(JSON.stringify({ id, method, data }))
      return new Promise((resolve) => waiting.set(id, resolve))
    },
    close: () => socket.close(),
  }
}

interface Meeting {
  app: FastifyInstance
  owner: string
  member: string
  roomId: string
  join(headers: Record<string, string>, displayName?: string): Promise<Client>
}

async function meeting(t: Test, set: string[] = []): Promise<Meeting> {
  const { url, ...room } = await roomWithPeople(t, 'Планёрка', set)
  return {
    ...room,
    async join(headers, displayName) {
      const c = await connect(t, url, headers)
      const reply = await c.request('join', displayName ? { displayName } : {})
      t.ok(reply.ok, `join as ${displayName ?? 'employee'}`)
      return c
    },
  }
}

/** ended waits until the only meeting in the history has ended, and returns it. */
async function ended(app: FastifyInstance): Promise<MeetingDetail> {
  return eventually('the meeting to end in the history', async () => {
    const [summary] = (await app.meetingHistory.repository.list({ from: 0, to: Date.now() + 1000 })).meetings
    return summary?.endedAt ? (await app.meetingHistory.repository.get(summary.id))! : undefined
  })
}

t.test('a meeting with an employee and a guest: both stays, their clients, the chat, the peaks', async (t) => {
  const m = await meeting(t)
  const before = Date.now()
  const olga = await m.join({ cookie: m.owner, 'user-agent': FIREFOX_WINDOWS })
  const guest = await m.join({ 'user-agent': SAFARI_IPHONE, 'x-forwarded-for': '203.0.113.9' }, 'Гость "Иван"')
  t.ok((await olga.request('chat', { text: 'Привет, =всем' })).ok)
  t.ok((await guest.request('chat', { text: 'Здравствуйте' })).ok)
  t.ok((await guest.request('leave')).ok)
  olga.close()
  const detail = await ended(m.app)
  const after = Date.now()

  t.match(detail, { roomId: m.roomId, roomTitle: 'Планёрка', participants: 2 })
  t.ok(detail.startedAt >= before && detail.endedAt! <= after && detail.startedAt <= detail.endedAt!)
  const [o, g] = detail.participantList
  const owner = (await m.app.usersRepository.findForSignIn(OWNER.email))!.user
  t.match(o, {
    userId: owner.id,
    displayName: OWNER.displayName,
    kind: 'internal',
    userAgent: FIREFOX_WINDOWS,
    browser: 'Firefox 127',
    os: 'Windows',
    ip: '127.0.0.1',
    viaProxy: false,
    forwardedFor: null,
  })
  t.match(g, {
    userId: null,
    displayName: 'Гость "Иван"',
    kind: 'guest',
    browser: 'Safari 16',
    os: 'iOS 16',
    // No trusted proxies: the guest's X-Forwarded-For is not believed, nor kept.
    ip: '127.0.0.1',
    viaProxy: false,
    forwardedFor: null,
  })
  t.ok(o!.joinedAt <= g!.joinedAt && g!.leftAt! <= o!.leftAt!, 'joined and left in order')
  t.equal(o!.leftAt, detail.endedAt, 'the last one out ends the meeting')
  t.same(
    detail.chat.map((c) => [c.participantId, c.senderName, c.text]),
    [
      [o!.id, OWNER.displayName, 'Привет, =всем'],
      [g!.id, 'Гость "Иван"', 'Здравствуйте'],
    ],
  )
  const peaks = m.app.db!.prepare('SELECT * FROM usage_peaks WHERE day = ?').get(utcDay(detail.startedAt))
  t.same(peaks, { day: utcDay(detail.startedAt), peak_rooms: 1, peak_participants: 2, peak_meeting_participants: 2 })
})

t.test('a participant who leaves and comes back has two stays; a new meeting after everyone left', async (t) => {
  const m = await meeting(t)
  const olga = await m.join({ cookie: m.owner })
  const boris = await m.join({ cookie: m.member })
  t.ok((await boris.request('leave')).ok)
  boris.close()
  const again = await m.join({ cookie: m.member })
  again.close()
  olga.close()
  const first = await ended(m.app)
  t.same(first.participantList.map((p) => p.displayName), ['Ольга Владелец', 'Борис', 'Борис'])
  t.equal(first.participants, 2)
  t.ok(first.participantList.every((p) => p.leftAt !== null && p.browser === 'Other' && p.os === 'Other'), 'no user agent: Other')

  const later = await m.join({ cookie: m.member })
  later.close()
  const list = await eventually('both meetings to end', async () => {
    const meetings = (await m.app.meetingHistory.repository.list({ from: 0, to: Date.now() + 1000 })).meetings
    return meetings.length >= 2 && meetings.every((x) => x.endedAt !== null) ? meetings : undefined
  })
  t.equal(list.length, 2, 'the room opened again is a second meeting')
  t.equal(list[0]!.participants, 1)
})

t.test('behind a trusted proxy the address is the forwarded client, and the header is kept', async (t) => {
  const m = await meeting(t, ['server.trustedProxies=127.0.0.1'])
  const olga = await m.join({ cookie: m.owner, 'x-forwarded-for': '198.51.100.7, 203.0.113.9' })
  const guest = await m.join({ 'user-agent': SAFARI_IPHONE }, 'Гость')
  guest.close()
  olga.close()
  const [o, g] = (await ended(m.app)).participantList
  // The proxy at 127.0.0.1 vouches only for the last hop it saw; 198.51.100.7 came from the client.
  t.match(o, { ip: '203.0.113.9', viaProxy: true, forwardedFor: '198.51.100.7, 203.0.113.9' })
  t.match(g, { ip: '127.0.0.1', viaProxy: false, forwardedFor: null }, 'through the proxy host without the header: direct')
})

t.test('an X-Forwarded-For from a peer that is not a trusted proxy is ignored', async (t) => {
  const m = await meeting(t, ['server.trustedProxies=10.0.0.1'])
  const guest = await m.join({ 'x-forwarded-for': '203.0.113.9' }, 'Гость')
  guest.close()
  const [g] = (await ended(m.app)).participantList
  t.match(g, { ip: '127.0.0.1', viaProxy: false, forwardedFor: null })
})

t.test('a server that shuts down mid-meeting ends the meeting and every stay in the history', async (t) => {
  const m = await meeting(t)
  const file = m.app.db!.name
  await m.join({ cookie: m.owner })
  await m.join({}, 'Гость')
  await m.app.close()
  const db = openDatabase(file)
  t.teardown(() => db.close())
  const detail = (await createMeetingHistoryRepository(createDb({ url: '', password: '', passwordFile: '' }, db)).get(1))!
  t.ok(detail.endedAt, 'the meeting ended')
  t.same(detail.participantList.map((p) => p.leftAt), [detail.endedAt, detail.endedAt], 'everyone left when it ended')
})
