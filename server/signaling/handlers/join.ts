import { Peer } from '../../sfu/peer.ts'
import type { Handler } from '../handler.ts'
import { SignalingError } from '../session.ts'

export const join: Handler<'join'> = async (session, { displayName }) => {
  if (session.peer) throw new SignalingError('already_joined', 'this connection has already joined')
  const record = session.lookupRoom(session.roomId)
  if (!record) throw new SignalingError('room_not_found', 'this meeting does not exist or was deleted')
  const name = session.user?.displayName ?? displayName?.trim()
  if (!name) throw new SignalingError('bad_request', 'guests must give a display name')
  let room = await session.registry.open(record.id, record.title)
  // The last peer may have left between open() and now, closing the room: open a fresh one.
  if (room.closed) room = await session.registry.open(record.id, record.title)
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
