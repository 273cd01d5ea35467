// Gets the camera's sending estimate out of a hole after a bad spell. Once Chromium's estimate fell (delay
// jitter, a short cap) it sends only the small simulcast layer; the encoder then uses less than the
// estimate, so Chromium deems itself application-limited and lets the estimate grow only to ~1.5x what
// it sends: the bigger layers never come back (bench: still 180p 8 s after 150 ms jitter ended). Chromium
// probes the link when the total bitrate its streams may use changes, so while a camera layer is held
// back for bandwidth on a link that loses little, the top layer's cap is moved by 1 kbps every few seconds.
import type { Producer } from 'mediasoup-client/types'

const POLL_MS = 1000
/** Between two nudges: a probe and the estimate's reaction take about a second. */
const NUDGE_EVERY_MS = 3000
/** Above this loss the link itself is the problem: probing would only add to it. */
const MAX_LOSS = 0.05

interface OutboundStat {
  type: string
  kind?: string
  rid?: string
  qualityLimitationReason?: string
  fractionLost?: number
}

/**
 * watchUplink polls the camera producer's sender; while Chromium holds layers back for bandwidth and
 * the server reports little loss, it nudges the top layer's maxBitrate (by 1 kbps, alternately) so
 * Chromium probes. Returns a stop function.
 */
export function watchUplink(camera: () => Producer | undefined): () => void {
  let lastNudge = 0
  let flip = false
  let busy = false
  const poll = async (): Promise<void> => {
    const producer = camera()
    const sender = producer?.rtpSender
    if (busy || !producer || producer.closed || producer.paused || !sender) return
    busy = true
    try {
      const stats = await sender.getStats()
      let limited = false
      let loss = 0
      stats.forEach((r: OutboundStat) => {
        if (r.type === 'outbound-rtp' && r.qualityLimitationReason === 'bandwidth') limited = true
        if (r.type === 'remote-inbound-rtp' && r.fractionLost !== undefined) loss = Math.max(loss, r.fractionLost)
      })
      const now = Date.now()
      if (!limited || loss > MAX_LOSS || now - lastNudge < NUDGE_EVERY_MS) return
      const parameters = sender.getParameters()
      const top = parameters.encodings.at(-1)
      if (!top?.maxBitrate) return
      lastNudge = now
      flip = !flip
      top.maxBitrate += flip ? 1000 : -1000
      await sender.setParameters(parameters)
    } catch {
      // Best effort: a sender being replaced or closed refuses parameters.
    } finally {
      busy = false
    }
  }
  const timer = setInterval(() => void poll(), POLL_MS)
  return () => clearInterval(timer)
}
