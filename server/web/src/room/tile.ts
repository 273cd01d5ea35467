// One person's tile in the meeting grid: video or initials, name, microphone state, speaking ring,
// connection level.
import { h, toggleAttr } from '../dom.ts'
import { icon } from '../icons.ts'
import { t } from '../i18n/index.ts'
import type { QualityLevel } from '../meeting/meeting.ts'
import { avatarHue, initials } from '../ui/initials.ts'

export interface TileState {
  name: string
  guest: boolean
  video: MediaStreamTrack | null
  /** The own camera is mirrored, like a mirror; everyone else sees it unmirrored. */
  mirrored: boolean
  micOff: boolean
  speaking: boolean
  /** How this person's media arrives (for the own tile: how it leaves); null: not measured yet. */
  quality: QualityLevel | null
  /** The server stopped this person's video to fit this user's connection: the avatar says so. */
  audioOnly: boolean
}

export class Tile {
  readonly root: HTMLElement
  readonly #video: HTMLVideoElement
  readonly #avatar: HTMLElement
  readonly #name: HTMLElement
  readonly #mic: HTMLElement
  readonly #quality: HTMLElement
  readonly #note: HTMLElement
  readonly #isSelf: boolean
  #track: MediaStreamTrack | null = null
  #shownName: string | null = null

  constructor(peerId: string, isSelf: boolean) {
    this.#isSelf = isSelf
    // Muted: a tile's video never plays sound; remote audio has its own <audio> elements.
    this.#video = h('video', { autoplay: true, playsinline: true, muted: true, class: 'tile__video' })
    this.#video.muted = true
    this.#avatar = h('div', { class: 'tile__avatar', 'aria-hidden': 'true' })
    this.#name = h('span', { class: 'tile__name' })
    this.#mic = h('span', { class: 'tile__mic', 'data-testid': 'tile-muted', title: t('room.micOffIndicator') }, [icon('micOff')])
    // Three bars, as phones show signal: lit ones say the level, colour says it again.
    this.#quality = h('span', { class: 'tile__quality', 'data-testid': 'tile-quality', role: 'img', hidden: true }, [
      h('i', {}),
      h('i', {}),
      h('i', {}),
    ])
    this.#note = h('span', { class: 'tile__note', 'data-testid': 'tile-audio-only', hidden: true }, t('quality.tileAudioOnly'))
    this.root = h('div', { class: 'tile', 'data-testid': 'tile', 'data-peer-id': peerId, 'data-self': isSelf }, [
      this.#avatar,
      this.#note,
      this.#video,
      h('div', { class: 'tile__label' }, [this.#quality, this.#mic, this.#name]),
    ])
  }

  /** update applies a new state, touching the video element only when its track changed. */
  update(state: TileState): void {
    if (state.name !== this.#shownName) {
      this.#shownName = state.name
      const label = this.#isSelf ? `${state.name} (${t('participants.you')})`.trim() : state.name
      this.#name.textContent = label
      this.#avatar.textContent = initials(state.name)
      this.#avatar.style.setProperty('--hue', String(avatarHue(state.name)))
      this.root.setAttribute('aria-label', label)
    }
    if (state.video !== this.#track) {
      this.#track = state.video
      this.#video.srcObject = state.video ? new MediaStream([state.video]) : null
      if (state.video) this.#video.play().catch(() => {})
    }
    toggleAttr(this.root, 'data-has-video', state.video !== null)
    toggleAttr(this.root, 'data-mirrored', state.mirrored)
    toggleAttr(this.root, 'data-guest', state.guest)
    toggleAttr(this.root, 'data-speaking', state.speaking)
    toggleAttr(this.root, 'data-muted', state.micOff)
    this.root.classList.toggle('tile--speaking', state.speaking)
    this.#mic.hidden = !state.micOff
    this.#note.hidden = !state.audioOnly
    this.#quality.hidden = state.quality === null
    if (state.quality !== null && this.#quality.dataset.level !== state.quality) {
      this.#quality.dataset.level = state.quality
      const label = t(`quality.${state.quality}`)
      this.#quality.setAttribute('aria-label', label)
      this.#quality.title = label
    }
  }

  /** remove detaches the tile and releases its video element. */
  remove(): void {
    this.#video.srcObject = null
    this.root.remove()
  }
}
