// Decides what a recording or stream shows and lets you hear: pure functions over the room's media
// sources, so the policy is tested without any media.
import type { MediaSource } from '../signaling/protocol.ts'

export interface SourceInfo {
  id: string
  kind: 'audio' | 'video'
  peerId: string
  source: MediaSource
  paused: boolean
  /** Order of arrival: earlier sources keep their audio slot, later screens win. */
  order: number
}

/**
 * chooseVideo picks the one picture to show: a shared screen (the latest) beats everything; then the
 * camera of whoever spoke most recently; then the first camera that is on. Undefined: placeholder.
 */
export function chooseVideo<S extends SourceInfo>(sources: Iterable<S>, recentSpeakers: readonly string[]): S | undefined {
  const video = [...sources].filter((s) => s.kind === 'video' && !s.paused)
  const screen = video.filter((s) => s.source === 'screen').sort((a, b) => b.order - a.order)[0]
  if (screen) return screen
  const cameras = video.filter((s) => s.source === 'camera').sort((a, b) => a.order - b.order)
  for (const peerId of recentSpeakers) {
    const camera = cameras.find((c) => c.peerId === peerId)
    if (camera) return camera
  }
  return cameras[0]
}

/**
 * assignAudio fills `slots` (source id or null per slot) with the audio sources: a source keeps its
 * slot while it exists; free slots go to sources in arrival order; when all are taken, the most recent
 * speaker without a slot replaces the assigned source that spoke least recently. Returns new slots.
 */
export function assignAudio(
  slots: readonly (string | null)[],
  sources: Iterable<SourceInfo>,
  recentSpeakers: readonly string[],
): (string | null)[] {
  const audio = [...sources].filter((s) => s.kind === 'audio').sort((a, b) => a.order - b.order)
  const byId = new Map(audio.map((s) => [s.id, s]))
  const next = slots.map((id) => (id !== null && byId.has(id) ? id : null))
  const waiting = audio.filter((s) => !next.includes(s.id))
  for (const source of [...waiting]) {
    const free = next.indexOf(null)
    if (free < 0) break
    next[free] = source.id
    waiting.splice(waiting.indexOf(source), 1)
  }
  const rank = (peerId: string): number => {
    const i = recentSpeakers.indexOf(peerId)
    return i < 0 ? Number.MAX_SAFE_INTEGER : i
  }
  const speaker = waiting.filter((s) => rank(s.peerId) !== Number.MAX_SAFE_INTEGER).sort((a, b) => rank(a.peerId) - rank(b.peerId))[0]
  if (speaker && next.length > 0) {
    let victim = 0
    for (let i = 1; i < next.length; i++) {
      if (rank(byId.get(next[i]!)!.peerId) > rank(byId.get(next[victim]!)!.peerId)) victim = i
    }
    if (rank(byId.get(next[victim]!)!.peerId) > rank(speaker.peerId)) next[victim] = speaker.id
  }
  return next
}
