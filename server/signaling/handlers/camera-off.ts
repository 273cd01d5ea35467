import type { Handler } from '../handler.ts'
import { asHost, participant } from '../host.ts'

/** cameraOff closes one participant's camera producer (the others see it go) and tells them; they may turn it on again. */
export const cameraOff: Handler<'cameraOff'> = (session, { peerId }) => {
  const { room } = asHost(session)
  const target = participant(room, peerId)
  for (const p of [...target.producers.values()]) if (target.sourceOf(p) === 'camera') p.close()
  target.notify('mutedByHost', { source: 'camera' })
  return {}
}
