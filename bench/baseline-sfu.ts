// The baseline: the same topology as a Veche room on bare mediasoup, with nothing else. One worker,
// one router per room, plain transports, producers, and consumers created unpaused for everyone
// else, driven over the Node IPC channel by bench/lib/targets/baseline.ts. Not run by hand.
import { randomUUID } from 'node:crypto'
import * as mediasoup from 'mediasoup'
import type { types } from 'mediasoup'
import { mediaCodecs } from '../server/sfu/media-codecs.ts'
import type { BaselineNotice, BaselineReply, BaselineRequest } from './lib/targets/baseline-protocol.ts'

interface Session {
  id: string
  room: Room
  transports: Map<string, types.PlainTransport>
  recv: types.PlainTransport | undefined
  caps: types.RtpCapabilities | undefined
  producers: types.Producer[]
}
interface Room {
  router: types.Router
  sessions: Map<string, Session>
  speaker: types.ActiveSpeakerObserver | undefined
}

// BENCH_BASELINE_SPEAKER=1 adds what Veche adds per room, an active-speaker observer fed every audio
// producer: to tell how much of Veche's overhead is that observer.
const withSpeaker = process.env.BENCH_BASELINE_SPEAKER === '1'

const worker = await mediasoup.createWorker({ logLevel: 'warn' })
const rooms = new Map<string, Room>()
const sessions = new Map<string, Session>()
const send = (m: BaselineReply | BaselineNotice): void => void process.send!(m)

async function consume(s: Session, producer: types.Producer): Promise<void> {
  if (!s.recv || !s.caps || producer.closed) return
  let c: types.Consumer
  try {
    c = await s.recv.consume({ producerId: producer.id, rtpCapabilities: s.caps })
  } catch {
    return // The producer's or the consumer's participant left meanwhile (as Veche skips it too).
  }
  send({ notice: 'newConsumer', session: s.id, consumerId: c.id, kind: c.kind })
}

function session(id: string): Session {
  const s = sessions.get(id)
  if (!s) throw new Error(`no session ${id}`)
  return s
}

async function run(r: BaselineRequest): Promise<unknown> {
  switch (r.op) {
    case 'workerPid':
      return worker.pid
    case 'createRoom': {
      const id = randomUUID()
      const router = await worker.createRouter({ mediaCodecs })
      const speaker = withSpeaker ? await router.createActiveSpeakerObserver({ interval: 300 }) : undefined
      rooms.set(id, { router, sessions: new Map(), speaker })
      return id
    }
    case 'join': {
      const room = rooms.get(r.room)
      if (!room) throw new Error(`no room ${r.room}`)
      const s: Session = { id: randomUUID(), room, transports: new Map(), recv: undefined, caps: undefined, producers: [] }
      sessions.set(s.id, s)
      room.sessions.set(s.id, s)
      return s.id
    }
    case 'createPlainTransport': {
      const s = session(r.session)
      const t = await s.room.router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: false, enableSrtp: r.srtp })
      s.transports.set(t.id, t)
      if (r.direction === 'recv') s.recv = t
      return { id: t.id, ip: t.tuple.localIp, port: t.tuple.localPort, srtpParameters: t.srtpParameters }
    }
    case 'connectPlainTransport': {
      const t = session(r.session).transports.get(r.transportId)
      await t!.connect({ ip: r.ip, port: r.port, ...(r.srtpParameters ? { srtpParameters: r.srtpParameters as types.SrtpParameters } : {}) })
      // The server's key after connecting: mediasoup makes a new one when the client picked another suite.
      return t!.srtpParameters ?? null
    }
    case 'produce': {
      const s = session(r.session)
      const p = await s.transports.get(r.transportId)!.produce({ kind: r.kind, rtpParameters: r.rtpParameters as types.RtpParameters })
      s.producers.push(p)
      if (p.kind === 'audio') await s.room.speaker?.addProducer({ producerId: p.id })
      for (const other of s.room.sessions.values()) if (other !== s) await consume(other, p)
      return p.id
    }
    case 'ready': {
      const s = session(r.session)
      s.caps = r.rtpCapabilities as types.RtpCapabilities
      for (const other of s.room.sessions.values()) if (other !== s) for (const p of other.producers) await consume(s, p)
      return {}
    }
    case 'leave': {
      const s = sessions.get(r.session)
      if (!s) return {}
      for (const t of s.transports.values()) t.close()
      sessions.delete(s.id)
      s.room.sessions.delete(s.id)
      if (s.room.sessions.size === 0) {
        s.room.router.close()
        for (const [id, room] of rooms) if (room === s.room) rooms.delete(id)
      }
      return {}
    }
  }
}

process.on('message', (m: BaselineRequest) => {
  run(m).then(
    (result) => send({ id: m.id, ok: true, result }),
    (err: Error) => send({ id: m.id, ok: false, error: err.message }),
  )
})
process.on('disconnect', () => {
  worker.close()
  process.exit(0)
})
