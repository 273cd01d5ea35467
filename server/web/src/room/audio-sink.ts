// Plays every remote microphone and screen audio: one <audio> element per consumer.
import { h } from '../dom.ts'

export interface AudioSink {
  root: HTMLElement
  /** sync plays exactly these tracks (by consumer id), adding and removing elements as needed. */
  sync(tracks: Map<string, MediaStreamTrack>): void
  /** resume retries playback after the browser blocked autoplay; call it from a click. */
  resume(): void
  close(): void
}

/** createAudioSink builds the hidden container; `onBlocked` fires when autoplay was refused. */
export function createAudioSink(onBlocked: () => void): AudioSink {
  const root = h('div', { class: 'audio-sink', 'aria-hidden': 'true' })
  const elements = new Map<string, HTMLAudioElement>()
  const play = (audio: HTMLAudioElement) => {
    audio.play().catch((error: unknown) => {
      if (error instanceof DOMException && error.name === 'NotAllowedError') onBlocked()
    })
  }
  return {
    root,
    sync(tracks) {
      for (const [id, audio] of elements) {
        if (tracks.has(id)) continue
        audio.srcObject = null
        audio.remove()
        elements.delete(id)
      }
      for (const [id, track] of tracks) {
        if (elements.has(id)) continue
        const audio = h('audio', { autoplay: true, 'data-testid': 'remote-audio', 'data-consumer-id': id })
        audio.srcObject = new MediaStream([track])
        root.append(audio)
        elements.set(id, audio)
        play(audio)
      }
    },
    resume() {
      for (const audio of elements.values()) play(audio)
    },
    close() {
      for (const audio of elements.values()) audio.srcObject = null
      elements.clear()
      root.replaceChildren()
    },
  }
}
