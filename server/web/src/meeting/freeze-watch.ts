// Notices a remote picture that froze while its packets still arrive (a frame lost for good) and
// asks for a key frame at once; the browser alone waits about 3 s before asking.
import type { Consumer, Transport } from 'mediasoup-client/types'

const POLL_MS = 500
/** At most one request per consumer this often: a key frame takes a round trip and an encode. */
const REQUEST_EVERY_MS = 1500

interface Seen {
  frames: number
  bytes: number
  askedAt: number
}

/**
 * watchFreezes polls the receive transport's stats every 500 ms; a video consumer that decoded no
 * frame in a whole poll although bytes arrived gets `ask(consumerId)`. Returns a stop function.
 */
export function watchFreezes(recv: Transport, consumers: () => Iterable<Consumer>, ask: (consumerId: string) => void): () => void {
  const seen = new Map<string, Seen>()
  let busy = false
  const poll = async (): Promise<void> => {
    if (busy || recv.closed) return
    busy = true
    try {
      const byMid = new Map<string, Consumer>()
      for (const c of consumers()) if (c.kind === 'video' && !c.paused && c.rtpParameters.mid) byMid.set(c.rtpParameters.mid, c)
      const report = await recv.getStats()
      const now = Date.now()
      const live = new Set<string>()
      report.forEach((r: { type: string; kind?: string; mid?: string; framesDecoded?: number; bytesReceived?: number }) => {
        if (r.type !== 'inbound-rtp' || r.kind !== 'video' || !r.mid) return
        const consumer = byMid.get(r.mid)
        if (!consumer) return
        live.add(consumer.id)
        const frames = r.framesDecoded ?? 0
        const bytes = r.bytesReceived ?? 0
        const before = seen.get(consumer.id)
        seen.set(consumer.id, { frames, bytes, askedAt: before?.askedAt ?? 0 })
        // Before the first frame there is nothing to freeze: the server asks for the first key frame.
        if (!before || frames === 0 || frames > before.frames || bytes <= before.bytes) return
        if (now - before.askedAt < REQUEST_EVERY_MS) return
        seen.get(consumer.id)!.askedAt = now
        ask(consumer.id)
      })
      for (const id of seen.keys()) if (!live.has(id)) seen.delete(id)
    } catch {
      // Stats are best effort: a closing transport has none.
    } finally {
      busy = false
    }
  }
  const timer = setInterval(() => void poll(), POLL_MS)
  return () => clearInterval(timer)
}
