import { Peer } from '../../sfu/peer.ts'
import type { Handler } from '../handler.ts'
import { SignalingError, type AdmissionRefusal } from '../session.ts'

const admit: Handler<'join'> = async (session, { displayName }) => {
  if (session.peer) throw new SignalingError('already_joined', 'this connection has already joined')
  const record = session.lookupRoom(session.roomId)
  if (!record) throw new SignalingError('room_not_found', 'this meeting does not exist or was deleted')
  const name = session.user?.displayName ?? displayName?.trim()
  if (!name) throw new SignalingError('bad_request', 'guests must give a display name')
  const refuse = (r: AdmissionRefusal | undefined): void => {
    if (r) throw new SignalingError(r.code, r.message, r.limit)
  }
  const { registry, admission } = session
  // Checked and opened with no await between, so two joins cannot both take the last free room.
  if (!registry.isLive(record.id)) refuse(admission.refuseNewRoom(registry.liveOrOpening))
  let room = await registry.open(record.id, record.title)
  // The last peer may have left between open() and now, closing the room: open a fresh one.
  if (room.closed) room = await registry.open(record.id, record.title)
  // Checked right before adding, with no await between, so a full room cannot overfill.
  refuse(admission.refuseParticipant(room.peers.size))
  const peer = new Peer({
    displayName: name,
    kind: session.user ? 'internal' : 'guest',
    userId: session.user?.id,
    notify: session.notify,
  })
  const others = [...room.peers.values()].map((p) => p.info())
  room.addPeer(peer)
  session.room = room
  session.peer = peer
  return {
    peerId: peer.id,
    self: peer.info(),
    peers: others,
    chat: [...room.chat],
    routerRtpCapabilities: room.routerRtpCapabilities,
    activeSpeakerId: room.activeSpeakerId,
  }
}

/** join admits the connection into its room; the outcome is counted for /metrics. */
export const join: Handler<'join'> = async (session, data) => {
  try {
    const result = await admit(session, data)
    session.joinCounter?.joined()
    return result
  } catch (err) {
    session.joinCounter?.joinFailed(err instanceof SignalingError ? err.code : 'internal')
    throw err
  }
}
