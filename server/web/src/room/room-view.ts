// The in-meeting screen: tiles, screen share spotlight, panels, control bar and status, bound to a Meeting.
import { h } from '../dom.ts'
import { t, type MessageKey } from '../i18n/index.ts'
import { screenShareSupported } from '../meeting/local-media.ts'
import type { Meeting, Notice, RemoteMedia } from '../meeting/meeting.ts'
import { createAudioSink } from './audio-sink.ts'
import { createCaptureView } from './capture-view.ts'
import { createChatPanel } from './chat-panel.ts'
import { createConnectionNotice } from './connection-notice.ts'
import { createControls, type ControlName } from './controls.ts'
import { gridLayout } from './grid-layout.ts'
import { renderHostControls } from './host-controls.ts'
import { createParticipantsPanel, type ParticipantRow } from './participants-panel.ts'
import { createStatusBanner } from './status-banner.ts'
import { Tile, type TileState } from './tile.ts'
import { createToasts } from './toasts.ts'

const noticeKeys: Record<Notice, MessageKey> = {
  micUnavailable: 'notice.micUnavailable',
  cameraUnavailable: 'notice.cameraUnavailable',
  screenFailed: 'notice.screenFailed',
  mediaRestored: 'notice.mediaRestored',
  mediaFailed: 'notice.mediaFailed',
  chatFailed: 'notice.chatFailed',
  reconnected: 'notice.reconnected',
  mutedByHost: 'notice.mutedByHost',
  cameraOffByHost: 'notice.cameraOffByHost',
}

const gridGap = 8
// Phones get panels as full-screen sheets; the chat input is then focused only on request.
const wideQuery = '(min-width: 760px)'

type Panel = 'chat' | 'participants'

interface TileEntry extends TileState {
  id: string
  self: boolean
  cameraConsumerId: string | null
}

function liveMedia(media: RemoteMedia[], source: RemoteMedia['source'], kind: RemoteMedia['kind']): RemoteMedia | undefined {
  return media.find((item) => item.source === source && item.kind === kind)
}

/** roomView renders the meeting; it stops listening (and leaves) when `signal` aborts. */
export function roomView(meeting: Meeting, options: { title: string; inviteUrl: string; signal: AbortSignal }): HTMLElement {
  document.title = `${options.title} · Veche`
  const tiles = new Map<string, Tile>()
  const grid = h('div', { class: 'grid', 'data-testid': 'grid' })
  const spotlight = h('div', { class: 'spotlight', hidden: true })
  const stage = h('div', { class: 'stage' }, [spotlight, grid])
  const banner = createStatusBanner(() => meeting.retryNow())
  const toasts = createToasts()
  const qualityNotice = createConnectionNotice()
  const count = h('span', { class: 'room__count', 'data-testid': 'participant-count' })
  let openPanel: Panel | null = null
  let unread = 0
  let sharing = false
  let layoutWidth = 0

  const soundButton = h('button', { type: 'button', class: 'btn btn--light sound-blocked', hidden: true, 'data-testid': 'enable-sound' }, t('room.enableSound'))
  const audio = createAudioSink(() => (soundButton.hidden = false))
  soundButton.addEventListener('click', () => {
    soundButton.hidden = true
    audio.resume()
  })

  const busy = new Set<ControlName>()
  const controls = createControls(
    async (name) => {
      if (name === 'chat' || name === 'participants') return setPanel(openPanel === name ? null : name)
      if (busy.has(name)) return
      busy.add(name)
      controls.setDisabled(name, true)
      try {
        if (name === 'mic') await meeting.toggleMic()
        else if (name === 'camera') await meeting.toggleCamera()
        else await meeting.toggleScreen()
      } finally {
        busy.delete(name)
        controls.setDisabled(name, false)
      }
    },
    () => void meeting.leave(),
  )
  if (!screenShareSupported()) controls.setHidden('screen', true)

  const chat = createChatPanel(
    (text) => meeting.sendChat(text),
    () => setPanel(null),
    () => toasts.show(t('notice.chatFailed')),
  )
  const hostFailed = () => toasts.show(t('host.failed'))
  const people = createParticipantsPanel(
    options.inviteUrl,
    () => setPanel(null),
    (action, peer) => void meeting.moderate(action, { peerId: peer.id }).catch(hostFailed),
  )
  const lockedBadge = h('span', { class: 'badge', hidden: true, 'data-testid': 'locked-badge' }, t('room.lockedBadge'))
  // The lobby: shown over the meeting until a host admits this user.
  const waiting = h('div', { class: 'lobby-wait', hidden: true, 'data-testid': 'lobby-waiting', role: 'status' }, [
    h('div', { class: 'lobby-wait__box' }, [
      h('h2', {}, t('lobby.waitingTitle')),
      h('p', { class: 'muted' }, t('lobby.waitingBody', { title: options.title })),
      h('button', { type: 'button', class: 'btn btn--light', onclick: () => void meeting.leave() }, t('lobby.cancel')),
    ]),
  ])
  const capture = createCaptureView(meeting, (message) => toasts.show(message))
  controls.root.insertBefore(capture.controls, controls.root.lastElementChild)

  const root = h('div', { class: 'room', 'data-testid': 'room' }, [
    h('header', { class: 'room__top' }, [h('h1', { class: 'room__title', title: options.title }, options.title), count, lockedBadge, capture.indicators]),
    h('div', { class: 'room__body' }, [
      h('div', { class: 'room__main' }, [banner.root, qualityNotice.root, capture.status, stage, soundButton, toasts.root]),
      chat.frame.root,
      people.frame.root,
    ]),
    controls.root,
    audio.root,
    waiting,
  ])

  function setPanel(panel: Panel | null): void {
    openPanel = panel
    chat.frame.root.hidden = panel !== 'chat'
    people.frame.root.hidden = panel !== 'participants'
    root.dataset.panel = panel ?? ''
    controls.set('chat', panel === 'chat')
    controls.set('participants', panel === 'participants')
    if (panel === 'chat') {
      unread = 0
      controls.setBadge('chat', 0)
      if (matchMedia(wideQuery).matches) chat.focusInput()
    }
    // The grid's box changed size; the observer relayouts it.
  }

  function tileEntries(): TileEntry[] {
    const self = meeting.self
    const local = meeting.local
    const entries: TileEntry[] = [
      {
        id: self?.id ?? 'self',
        self: true,
        name: self?.displayName ?? '',
        guest: self?.kind === 'guest',
        video: local.camera,
        mirrored: true,
        micOff: !local.mic || local.micMuted,
        speaking: self !== null && meeting.activeSpeakerId === self.id,
        quality: local.mic || local.camera ? meeting.quality.self : null,
        audioOnly: false,
        cameraConsumerId: null,
      },
    ]
    for (const participant of meeting.participants.values()) {
      const camera = liveMedia(participant.media, 'camera', 'video')
      const mic = liveMedia(participant.media, 'mic', 'audio')
      entries.push({
        id: participant.info.id,
        self: false,
        name: participant.info.displayName,
        guest: participant.info.kind === 'guest',
        video: camera && !camera.paused && camera.limit !== 'audioOnly' ? camera.track : null,
        mirrored: false,
        micOff: !mic || mic.paused,
        speaking: meeting.activeSpeakerId === participant.info.id,
        quality: meeting.quality.levels.get(participant.info.id) ?? null,
        audioOnly: camera !== undefined && !camera.paused && camera.limit === 'audioOnly',
        cameraConsumerId: camera?.consumerId ?? null,
      })
    }
    return entries
  }

  function renderSpotlight(): void {
    let presenter: { name: string; id: string; track: MediaStreamTrack } | null = null
    for (const participant of meeting.participants.values()) {
      const screen = liveMedia(participant.media, 'screen', 'video')
      if (screen && !screen.paused) {
        presenter = { name: participant.info.displayName, id: participant.info.id, track: screen.track }
        break
      }
    }
    const localScreen = meeting.local.screen
    sharing = presenter !== null || localScreen !== null
    stage.classList.toggle('stage--sharing', sharing)
    spotlight.hidden = !sharing
    const current = spotlight.firstElementChild as HTMLElement | null
    if (presenter) {
      const video = current?.querySelector('video')
      if (current?.dataset.peerId === presenter.id && video?.srcObject instanceof MediaStream && video.srcObject.getTracks()[0] === presenter.track) return
      const screenVideo = h('video', { autoplay: true, playsinline: true, muted: true, class: 'spotlight__video' })
      screenVideo.muted = true
      screenVideo.srcObject = new MediaStream([presenter.track])
      spotlight.replaceChildren(
        h('div', { class: 'screen-tile', 'data-testid': 'screen-tile', 'data-peer-id': presenter.id }, [
          screenVideo,
          h('span', { class: 'screen-tile__label' }, t('room.presenting', { name: presenter.name })),
        ]),
      )
    } else if (localScreen) {
      if (current?.dataset.peerId === 'self') return
      const stop = h('button', { type: 'button', class: 'btn btn--light' }, t('controls.screenOff'))
      stop.addEventListener('click', () => void meeting.toggleScreen())
      spotlight.replaceChildren(
        h('div', { class: 'screen-tile screen-tile--self', 'data-testid': 'screen-tile', 'data-peer-id': 'self' }, [
          h('p', {}, t('room.youArePresenting')),
          stop,
        ]),
      )
    } else {
      spotlight.replaceChildren()
    }
  }

  function preferLayers(entries: TileEntry[]): void {
    // Ask for the simulcast layer that fits the tile: no point decoding 720p into a thumbnail.
    const layer: 0 | 1 | 2 = sharing ? 0 : layoutWidth > 640 ? 2 : layoutWidth > 300 ? 1 : 0
    for (const entry of entries) if (entry.cameraConsumerId) meeting.preferLayer(entry.cameraConsumerId, layer)
  }

  function renderTiles(): void {
    const entries = tileEntries()
    const seen = new Set<string>()
    for (const entry of entries) {
      seen.add(entry.id)
      let tile = tiles.get(entry.id)
      if (!tile) {
        tile = new Tile(entry.id, entry.self)
        tiles.set(entry.id, tile)
      }
      tile.update(entry)
      // Moving only misplaced tiles keeps their videos playing (re-inserting all would restart them).
      const index = entries.indexOf(entry)
      if (grid.children[index] !== tile.root) grid.insertBefore(tile.root, grid.children[index] ?? null)
    }
    for (const [id, tile] of tiles) {
      if (seen.has(id)) continue
      tile.remove()
      tiles.delete(id)
    }
    renderSpotlight()
    layout()
    preferLayers(entries)

    const rows: ParticipantRow[] = entries.map((entry) => ({
      info: entry.self && meeting.self ? meeting.self : { id: entry.id, displayName: entry.name, kind: entry.guest ? 'guest' : 'internal' },
      self: entry.self,
      micOff: entry.micOff,
      host: meeting.hosts.has(entry.self && meeting.self ? meeting.self.id : entry.id),
    }))
    people.render(rows, meeting.isHost)
    count.textContent = t('room.participantCount', { count: entries.length })

    const audioTracks = new Map<string, MediaStreamTrack>()
    for (const participant of meeting.participants.values()) {
      for (const media of participant.media) if (media.kind === 'audio') audioTracks.set(media.consumerId, media.track)
    }
    audio.sync(audioTracks)
  }

  function layout(): void {
    if (sharing) {
      grid.style.removeProperty('--cols')
      return
    }
    const { columns, tileWidth, tileHeight } = gridLayout(tiles.size, grid.clientWidth, grid.clientHeight, gridGap)
    layoutWidth = tileWidth
    grid.style.setProperty('--cols', String(columns))
    grid.style.setProperty('--tile-w', `${tileWidth}px`)
    grid.style.setProperty('--tile-h', `${tileHeight}px`)
  }

  function renderModeration(): void {
    waiting.hidden = !meeting.waiting
    lockedBadge.hidden = !meeting.locked
    renderHostControls(people.hostArea, meeting, hostFailed)
    // A host sees at a glance that someone waits, even with the panel closed.
    controls.setBadge('participants', meeting.isHost ? meeting.lobby.length : 0)
    renderTiles()
  }

  function renderQualityNotice(): void {
    // While reconnecting the status banner says more than the media's quality could.
    qualityNotice.show(meeting.status === 'connected' ? meeting.quality.notice : null)
  }

  function renderControls(): void {
    const local = meeting.local
    controls.set('mic', local.mic !== null && !local.micMuted)
    controls.set('camera', local.camera !== null)
    controls.set('screen', local.screen !== null)
  }

  const unsubscribe = [
    meeting.on('participants', renderTiles),
    meeting.on('local', () => {
      renderTiles()
      renderControls()
    }),
    meeting.on('speaker', renderTiles),
    meeting.on('status', (status) => {
      banner.show(status)
      root.dataset.status = status
      renderQualityNotice()
    }),
    meeting.on('quality', () => {
      renderTiles()
      renderQualityNotice()
    }),
    meeting.on('chat', (message) => {
      const own = meeting.isOwnMessage(message)
      chat.add(message, own)
      if (openPanel !== 'chat' && !own) controls.setBadge('chat', ++unread)
    }),
    meeting.on('chatReset', () => chat.reset(meeting.chat, (message) => meeting.isOwnMessage(message))),
    meeting.on('notice', (notice) => toasts.show(t(noticeKeys[notice]))),
    meeting.on('moderation', renderModeration),
  ]

  const resizeObserver = new ResizeObserver(() => {
    layout()
    preferLayers(tileEntries())
  })
  resizeObserver.observe(grid)
  const onKey = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && openPanel) setPanel(null)
  }
  document.addEventListener('keydown', onKey)

  options.signal.addEventListener('abort', () => {
    for (const off of unsubscribe) off()
    capture.close()
    resizeObserver.disconnect()
    document.removeEventListener('keydown', onKey)
    audio.close()
    for (const tile of tiles.values()) tile.remove()
    if (!meeting.ended) void meeting.leave()
  })

  banner.show(meeting.status)
  root.dataset.status = meeting.status
  setPanel(null)
  renderControls()
  renderModeration()
  chat.reset(meeting.chat, (message) => meeting.isOwnMessage(message))
  return root
}
