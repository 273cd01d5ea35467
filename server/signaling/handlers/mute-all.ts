import type { Handler } from '../handler.ts'
import { asHost, muteMic } from '../host.ts'

/** muteAll pauses every microphone but the hosts'; each may unmute themselves. */
export const muteAll: Handler<'muteAll'> = async (session) => {
  const { room } = asHost(session)
  let muted = 0
  for (const peer of [...room.peers.values()]) {
    if (!room.moderation.isHost(peer.id) && (await muteMic(peer))) muted++
  }
  return { muted }
}
