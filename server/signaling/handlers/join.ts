import { randomUUID } from 'node:crypto'
import { PinAttempts } from '../../auth/pin-attempts.ts'
import { verifyPin } from '../../auth/pins.ts'

/** Wrong PIN guesses per meeting, across all connections of this process. */
const pinAttempts = new PinAttempts()
import { Peer } from '../../sfu/peer.ts'
import type { Room } from '../../sfu/room.ts'
import type { Handler } from '../handler.ts'
import type { JoinedResult, MethodResults } from '../protocol.ts'
import { SignalingError, type AdmissionRefusal, type RoomRecord, type SignalingSession } from '../session.ts'

const refuse = (r: AdmissionRefusal | undefined): void => {
  if (r) throw new SignalingError(r.code, r.message, r.limit)
}

/** mustWait: does this joiner go to the lobby? The creator and returning hosts never wait. */
function mustWait(session: SignalingSession, record: RoomRecord, room: Room): boolean {
  const m = room.moderation
  if (m.isHostUser(session.user?.id)) return false
  if (record.lobby === 'guests') return !session.user
  // 'everyone': employees too, unless no host is present to admit them (one of them will host).
  if (record.lobby === 'everyone') return !session.user || m.hasHost
  return false
}

/** enter adds the connection's peer to the meeting; the license's participant limit is checked here. */
function enter(session: SignalingSession, room: Room, name: string): JoinedResult {
  // Checked right before adding, with no await between, so a full room cannot overfill.
  refuse(session.admission.refuseParticipant(room.peers.size))
  const peer = new Peer({
    displayName: name,
    kind: session.user ? 'internal' : 'guest',
    userId: session.user?.id,
    notify: session.notify,
    client: session.client,
  })
  const others = [...room.peers.values()].map((p) => p.info())
  room.addPeer(peer)
  session.room = room
  session.peer = peer
  const m = room.moderation
  return {
    peerId: peer.id,
    self: peer.info(),
    peers: others,
    chat: [...room.chat],
    routerRtpCapabilities: room.routerRtpCapabilities,
    activeSpeakerId: room.activeSpeakerId,
    hosts: [...m.hosts],
    locked: m.locked,
    lobby: m.isHost(peer.id) ? m.queue() : [],
  }
}

/** fromLobby: the waiter's `join` again; enters once a host admitted it, otherwise still waits. */
function fromLobby(session: SignalingSession, waiting: { room: Room; entryId: string }): MethodResults['join'] {
  const { room, entryId } = waiting
  const entry = room.moderation.lobby.get(entryId)
  if (!entry || room.closed) throw new SignalingError('room_not_found', 'this meeting has ended')
  if (!entry.admitted) return { waiting: true, peerId: entryId }
  // Entered before leaving the queue, so the room never looks empty (and closes) in between.
  const result = enter(session, room, entry.displayName)
  session.waiting = undefined
  room.leaveLobby(entryId)
  return result
}

const admit: Handler<'join'> = async (session, { displayName, pin }) => {
  if (session.peer) throw new SignalingError('already_joined', 'this connection has already joined')
  if (session.user && (await session.accountActive?.()) === false) {
    throw new SignalingError('forbidden', 'your account is blocked; ask an administrator')
  }
  if (session.waiting) return fromLobby(session, session.waiting)
  const record = await session.lookupRoom(session.roomId)
  if (!record) throw new SignalingError('room_not_found', 'this meeting does not exist or was deleted')
  const name = session.user?.displayName ?? displayName?.trim()
  if (!name) throw new SignalingError('bad_request', 'guests must give a display name')
  if (!session.user && record.pinHash !== null) {
    if (!pin) throw new SignalingError('pin_required', 'this meeting asks guests for a PIN')
    const blocked = pinAttempts.blockedForMs(record.id)
    if (blocked > 0) {
      throw new SignalingError('pin_locked', `too many wrong PINs for this meeting: try again in ${Math.ceil(blocked / 60_000)} min`)
    }
    if (!(await verifyPin(pin, record.pinHash))) {
      pinAttempts.fail(record.id)
      throw new SignalingError('wrong_pin', 'the PIN is wrong')
    }
  }
  const { registry, admission } = session
  // Checked and opened with no await between, so two joins cannot both take the last free room.
  if (!registry.isLive(record.id)) refuse(admission.refuseNewRoom(registry.liveOrOpening))
  let room = await registry.open(record.id, record.title)
  // The last peer may have left between open() and now, closing the room: open a fresh one.
  if (room.closed) room = await registry.open(record.id, record.title)
  room.moderation.ownerId = record.ownerId
  // Locked: only the creator and the meeting's hosts get in (not even into the lobby).
  if (room.moderation.locked && !room.moderation.isHostUser(session.user?.id)) {
    throw new SignalingError('room_locked', 'a host locked this meeting: nobody new may join')
  }
  if (mustWait(session, record, room)) {
    const id = randomUUID()
    room.enterLobby({ id, displayName: name, kind: session.user ? 'internal' : 'guest', userId: session.user?.id, notify: session.notify, since: Date.now(), admitted: false })
    session.waiting = { room, entryId: id }
    return { waiting: true, peerId: id }
  }
  return enter(session, room, name)
}

/** join admits the connection into its room or its lobby; the outcome is counted for /metrics. */
export const join: Handler<'join'> = async (session, data) => {
  try {
    const result = await admit(session, data)
    if (!('waiting' in result)) session.joinCounter?.joined()
    return result
  } catch (err) {
    session.joinCounter?.joinFailed(err instanceof SignalingError ? err.code : 'internal')
    throw err
  }
}
