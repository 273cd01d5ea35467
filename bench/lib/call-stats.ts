// Reads what a browser in a meeting receives (getStats of every peer connection the page made) and
// turns one-second samples into what a participant notices: frame rate, freezes, picture size,
// concealed audio, and how long the picture took to come back after the network changed.
import type { BrowserContext, Page } from 'playwright-core'

/** One sample of a page's inbound media, summed over its peer connections. */
export interface CallSample {
  /** ms since the run's epoch. */
  t: number
  framesDecoded: number
  freezeCount: number
  totalFreezesDuration: number
  frameHeight: number
  frameWidth: number
  videoPacketsLost: number
  videoPacketsReceived: number
  nackCount: number
  pliCount: number
  keyFramesDecoded: number
  concealedSamples: number
  silentConcealedSamples: number
  totalSamplesReceived: number
  fecPacketsReceived: number
  audioPacketsLost: number
  audioCodec: string
  /** What the page sends: height of its top active layer, and the sender's bandwidth estimate. */
  sentHeight: number
  /** Frame rate of each simulcast layer sent, e.g. "r0:20 r1:20 r2:0": shows when the sender drops a layer. */
  sentLayers: string
  availableOutgoingBitrate: number
}

/**
 * routeThroughRelay makes every page of `context` reach the media server only through the relay on
 * `relayHost:relayPort`: the server's UDP candidates are rewritten to the relay's address and its
 * TCP candidates dropped, so media cannot bypass the relay. Like a NAT in front of the server; ICE,
 * DTLS and SRTP still run end to end.
 */
export async function routeThroughRelay(context: BrowserContext, relayHost: string, relayPort: number): Promise<void> {
  await context.addInitScript(
    ({ host, port }) => {
      const proto = RTCPeerConnection.prototype
      const native = proto.setRemoteDescription as (this: RTCPeerConnection, d?: RTCSessionDescriptionInit) => Promise<void>
      const rewrite = (sdp: string): string =>
        sdp
          .split('\r\n')
          .filter((line) => !/^a=candidate:\S+ \d+ tcp /i.test(line))
          .map((line) => line.replace(/^(a=candidate:\S+ \d+ udp \d+ )\S+ \d+( typ .*)$/i, `$1${host} ${port}$2`))
          .join('\r\n')
      proto.setRemoteDescription = function (this: RTCPeerConnection, desc?: RTCSessionDescriptionInit) {
        const rewritten = desc?.sdp ? { type: desc.type, sdp: rewrite(desc.sdp) } : desc
        return native.call(this, rewritten as RTCSessionDescriptionInit)
      } as typeof proto.setRemoteDescription
    },
    { host: relayHost, port: relayPort },
  )
}

/** sampleCall reads one CallSample from a page; `epoch` is the run's start (Date.now()). */
export async function sampleCall(page: Page, epoch: number): Promise<CallSample> {
  const s = await page.evaluate(async () => {
    const pcs = ((window as unknown as { __vechePcs?: RTCPeerConnection[] }).__vechePcs ?? []).filter((pc) => pc.connectionState !== 'closed')
    const out = {
      framesDecoded: 0, freezeCount: 0, totalFreezesDuration: 0, frameHeight: 0, frameWidth: 0,
      videoPacketsLost: 0, videoPacketsReceived: 0, nackCount: 0, pliCount: 0, keyFramesDecoded: 0,
      concealedSamples: 0, silentConcealedSamples: 0, totalSamplesReceived: 0, fecPacketsReceived: 0, audioPacketsLost: 0,
      audioCodec: '', sentHeight: 0, sentLayers: '', availableOutgoingBitrate: 0,
    }
    const layers: string[] = []
    for (const pc of pcs) {
      const report = await pc.getStats()
      const codecs = new Map<string, string>()
      report.forEach((r: Record<string, unknown>) => {
        if (r.type === 'codec') codecs.set(r.id as string, `${r.mimeType as string} ${(r.sdpFmtpLine as string | undefined) ?? ''}`.trim())
      })
      report.forEach((r: Record<string, number | string | undefined>) => {
        const n = (k: string): number => (typeof r[k] === 'number' ? (r[k] as number) : 0)
        // mediasoup-client's "probator" receiver only carries bandwidth probes: it never decodes and
        // Chromium keeps asking it for a key frame (~4 PLIs/s), which would hide the real requests.
        if (r.type === 'inbound-rtp' && r.kind === 'video' && r.mid !== 'probator') {
          out.framesDecoded += n('framesDecoded')
          out.freezeCount += n('freezeCount')
          out.totalFreezesDuration += n('totalFreezesDuration')
          out.frameHeight = Math.max(out.frameHeight, n('frameHeight'))
          out.frameWidth = Math.max(out.frameWidth, n('frameWidth'))
          out.videoPacketsLost += n('packetsLost')
          out.videoPacketsReceived += n('packetsReceived')
          out.nackCount += n('nackCount')
          out.pliCount += n('pliCount')
          out.keyFramesDecoded += n('keyFramesDecoded')
        }
        if (r.type === 'inbound-rtp' && r.kind === 'audio') {
          out.concealedSamples += n('concealedSamples')
          out.silentConcealedSamples += n('silentConcealedSamples')
          out.totalSamplesReceived += n('totalSamplesReceived')
          out.fecPacketsReceived += n('fecPacketsReceived')
          out.audioPacketsLost += n('packetsLost')
          if (typeof r.codecId === 'string') out.audioCodec = codecs.get(r.codecId) ?? ''
        }
        if (r.type === 'outbound-rtp' && r.kind === 'video' && n('framesPerSecond') > 0) out.sentHeight = Math.max(out.sentHeight, n('frameHeight'))
        if (r.type === 'outbound-rtp' && r.kind === 'video' && typeof r.rid === 'string') layers.push(`${r.rid}:${Math.round(n('framesPerSecond'))}`)
        if (r.type === 'candidate-pair' && r.nominated && n('availableOutgoingBitrate') > 0) {
          out.availableOutgoingBitrate = Math.max(out.availableOutgoingBitrate, n('availableOutgoingBitrate'))
        }
      })
    }
    out.sentLayers = layers.sort().join(' ')
    return out
  })
  return { t: Date.now() - epoch, ...s }
}

/** What one side received over a window of samples. */
export interface WindowSummary {
  fps: number
  freezes: number
  frozenS: number
  longestFreezeS: number
  /** Seconds in which not one frame was decoded. */
  blackSeconds: number
  /** The picture height received most of the time, and the lowest seen. */
  height: number
  minHeight: number
  concealedPct: number
  /** Concealment outside silence (what a listener hears as a glitch). */
  audibleConcealedPct: number
  videoLossPct: number
  audioLossPct: number
  nacks: number
  plis: number
  keyFrames: number
  /** Audio packets that carried in-band FEC (Chromium's fecPacketsReceived). */
  fecPackets: number
}

/** summarize reports the samples with from <= t <= to (ms). */
export function summarize(samples: readonly CallSample[], from: number, to: number): WindowSummary {
  const w = samples.filter((s) => s.t >= from && s.t <= to)
  const a = w[0]
  const b = w.at(-1)
  if (!a || !b || b === a) {
    return { fps: 0, freezes: 0, frozenS: 0, longestFreezeS: 0, blackSeconds: 0, height: 0, minHeight: 0, concealedPct: 0, audibleConcealedPct: 0, videoLossPct: 0, audioLossPct: 0, nacks: 0, plis: 0, keyFrames: 0, fecPackets: 0 }
  }
  const dt = (b.t - a.t) / 1000
  let longest = 0
  let black = 0
  const heights = new Map<number, number>()
  for (let i = 1; i < w.length; i++) {
    const p = w[i - 1]!
    const s = w[i]!
    const count = s.freezeCount - p.freezeCount
    // A freeze is counted when it ends, with its duration: one per sample is the usual case.
    if (count > 0) longest = Math.max(longest, (s.totalFreezesDuration - p.totalFreezesDuration) / count)
    if (s.framesDecoded === p.framesDecoded) black++
    heights.set(s.frameHeight, (heights.get(s.frameHeight) ?? 0) + 1)
  }
  const samplesRx = b.totalSamplesReceived - a.totalSamplesReceived
  const concealed = b.concealedSamples - a.concealedSamples
  const silent = b.silentConcealedSamples - a.silentConcealedSamples
  const vLost = b.videoPacketsLost - a.videoPacketsLost
  const vRx = b.videoPacketsReceived - a.videoPacketsReceived
  const aLost = b.audioPacketsLost - a.audioPacketsLost
  const aRx = (b.totalSamplesReceived - a.totalSamplesReceived) / 960 // 20 ms Opus frames at 48 kHz
  return {
    fps: (b.framesDecoded - a.framesDecoded) / dt,
    freezes: b.freezeCount - a.freezeCount,
    frozenS: b.totalFreezesDuration - a.totalFreezesDuration,
    longestFreezeS: longest,
    blackSeconds: black,
    height: [...heights.entries()].sort((x, y) => y[1] - x[1])[0]?.[0] ?? 0,
    minHeight: Math.min(...w.slice(1).map((s) => s.frameHeight)),
    concealedPct: samplesRx > 0 ? (100 * concealed) / samplesRx : 0,
    audibleConcealedPct: samplesRx > 0 ? (100 * (concealed - silent)) / samplesRx : 0,
    videoLossPct: vRx + vLost > 0 ? (100 * vLost) / (vRx + vLost) : 0,
    audioLossPct: aRx + aLost > 0 ? (100 * aLost) / (aRx + aLost) : 0,
    nacks: b.nackCount - a.nackCount,
    plis: b.pliCount - a.pliCount,
    keyFrames: b.keyFramesDecoded - a.keyFramesDecoded,
    fecPackets: b.fecPacketsReceived - a.fecPacketsReceived,
  }
}

/**
 * recoveryS is how many seconds after `from` (ms) the picture was back: two samples in a row at
 * `fps` frames per second or more and `height` or taller. Undefined if it never came back by `to`.
 */
export function recoveryS(samples: readonly CallSample[], from: number, to: number, fps: number, height: number): number | undefined {
  let run = 0
  for (let i = 1; i < samples.length; i++) {
    const p = samples[i - 1]!
    const s = samples[i]!
    if (s.t < from || s.t > to) continue
    const rate = ((s.framesDecoded - p.framesDecoded) * 1000) / (s.t - p.t)
    run = rate >= fps && s.frameHeight >= height ? run + 1 : 0
    if (run === 2) return Math.max(0, (p.t - from) / 1000)
  }
  return undefined
}

/** firstBelowS is how many seconds after `from` the received height first fell below `height`. */
export function firstBelowS(samples: readonly CallSample[], from: number, to: number, height: number): number | undefined {
  const s = samples.find((s) => s.t >= from && s.t <= to && s.frameHeight > 0 && s.frameHeight < height)
  return s ? (s.t - from) / 1000 : undefined
}
