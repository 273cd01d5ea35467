import type { Handler } from '../handler.ts'
import { joined, SignalingError } from '../session.ts'

export const chat: Handler<'chat'> = (session, { text }) => {
  const { room, peer } = joined(session)
  const trimmed = text.trim()
  if (!trimmed) throw new SignalingError('bad_request', 'a chat message cannot be empty')
  return room.postChat(peer, trimmed)
}
