// Recording and live streaming in the meeting: the indicators everyone sees (and the toasts when they
// change), the host's record and stream buttons, the stream dialog, and the host's stream status.
import type { RecordingState, StreamingState } from '../../../signaling/protocol.ts'
import { h } from '../dom.ts'
import { hasMessage, t, type MessageKey } from '../i18n/index.ts'
import { icon } from '../icons.ts'
import type { Meeting } from '../meeting/meeting.ts'
import { SignalingError } from '../meeting/signaling-client.ts'

export interface CaptureView {
  /** Badges for the meeting's header: recording and live. */
  indicators: HTMLElement
  /** The host's buttons, for the control bar (hidden unless this participant may use them). */
  controls: HTMLElement
  /** The host's stream status line, over the meeting (hidden unless there is something to say). */
  status: HTMLElement
  close(): void
}

/** reasonText words a problem code (disk_low, stream_dropped…) in the user's language. */
function reasonText(code: string | undefined): string {
  const key = `capture.reason.${code}`
  return hasMessage(key) ? t(key) : t('capture.reason.other')
}

function refusalText(error: unknown): string {
  const code = error instanceof SignalingError ? error.code : 'other'
  const key = `capture.refused.${code}`
  return hasMessage(key) ? t(key as MessageKey) : t('capture.refused.other')
}

function toggle(name: 'recording' | 'streaming', iconName: 'record' | 'broadcast'): HTMLButtonElement {
  return h('button', { type: 'button', class: 'ctl ctl--capture', 'data-testid': `toggle-${name}`, 'aria-pressed': 'false', hidden: true }, [icon(iconName)])
}

/** createCaptureView binds to `meeting`; `toast` shows the short messages. */
export function createCaptureView(meeting: Meeting, toast: (message: string) => void): CaptureView {
  const recBadge = h('span', { class: 'capture-badge capture-badge--rec', 'data-testid': 'recording-indicator', role: 'status', hidden: true }, [
    h('span', { class: 'capture-badge__dot', 'aria-hidden': 'true' }),
    t('capture.recordingBadge'),
  ])
  const liveBadge = h('span', { class: 'capture-badge capture-badge--live', 'data-testid': 'streaming-indicator', role: 'status', hidden: true }, [
    h('span', { class: 'capture-badge__dot', 'aria-hidden': 'true' }),
    t('capture.liveBadge'),
  ])
  const indicators = h('span', { class: 'capture-indicators' }, [recBadge, liveBadge])
  const recordButton = toggle('recording', 'record')
  const streamButton = toggle('streaming', 'broadcast')
  const controls = h('div', { class: 'controls__group' }, [recordButton, streamButton])
  const statusText = h('span', {})
  const status = h('div', { class: 'capture-status', 'data-testid': 'streaming-status', role: 'status', 'aria-live': 'polite', hidden: true }, [statusText])

  const dialog = streamDialog(meeting)

  let recording: RecordingState | null = null
  let streaming: StreamingState | null = null

  const label = (button: HTMLButtonElement, on: boolean, turnOn: MessageKey, turnOff: MessageKey): void => {
    const text = t(on ? turnOff : turnOn)
    button.setAttribute('aria-pressed', String(on))
    button.dataset.state = on ? 'on' : 'off'
    button.setAttribute('aria-label', text)
    button.title = text
  }

  const render = (): void => {
    const rec = meeting.recording
    const stream = meeting.streaming
    // Tell everyone when recording starts or stops; the host also hears why it stopped by itself.
    if (rec && recording && rec.active !== recording.active) {
      if (rec.active) toast(t('capture.recordingStarted', { name: rec.startedBy ?? '' }))
      else if (rec.problem && rec.allowed) toast(t('capture.recordingStoppedWhy', { reason: reasonText(rec.problem.code) }))
      else toast(t('capture.recordingStopped'))
    } else if (rec?.active && !recording) {
      toast(t('capture.recordingStarted', { name: rec.startedBy ?? '' }))
    }
    if (stream && streaming && stream.status !== streaming.status) {
      if (stream.status === 'live' && streaming.status !== 'reconnecting') toast(t('capture.streamLive'))
      if (stream.status === 'off' && !(stream.problem && stream.allowed)) toast(t('capture.streamStopped'))
    }
    recording = rec
    streaming = stream

    recBadge.hidden = !rec?.active
    recBadge.title = rec?.active ? t('capture.recordingTitle', { name: rec.startedBy ?? '' }) : ''
    const live = stream !== null && stream.status !== 'off'
    liveBadge.hidden = !live
    liveBadge.dataset.status = stream?.status ?? 'off'
    liveBadge.title = live ? t('capture.liveTitle', { name: stream.startedBy ?? '' }) : ''

    recordButton.hidden = !rec?.allowed
    label(recordButton, rec?.active === true, 'controls.recordOn', 'controls.recordOff')
    streamButton.hidden = !stream?.allowed
    label(streamButton, live, 'controls.streamOn', 'controls.streamOff')
    controls.hidden = recordButton.hidden && streamButton.hidden

    // The host sees how the stream is doing, and why it stopped.
    let line = ''
    if (stream?.allowed) {
      if (stream.status === 'connecting') line = t('capture.streamConnecting')
      else if (stream.status === 'reconnecting') {
        line = t('capture.streamReconnecting', { attempt: stream.attempt, max: stream.maxAttempts, reason: reasonText(stream.problem?.code) })
      } else if (stream.status === 'off' && stream.problem) {
        line =
          stream.maxAttempts > 0 && stream.attempt >= stream.maxAttempts
            ? t('capture.streamGaveUp', { count: stream.maxAttempts, reason: reasonText(stream.problem.code) })
            : t('capture.streamStoppedWhy', { reason: reasonText(stream.problem.code) })
      }
    }
    statusText.textContent = line
    status.hidden = line === ''
    status.dataset.status = stream?.status ?? 'off'
    status.classList.toggle('capture-status--error', stream?.status === 'off' && stream.problem !== null)
  }

  const run = async (button: HTMLButtonElement, work: () => Promise<unknown>): Promise<void> => {
    if (button.disabled) return
    button.disabled = true
    try {
      await work()
    } catch (error) {
      toast(refusalText(error))
    } finally {
      button.disabled = false
    }
  }

  recordButton.addEventListener('click', () =>
    void run(recordButton, () => (meeting.recording?.active ? meeting.capture('stopRecording', {}) : meeting.capture('startRecording', {}))),
  )
  streamButton.addEventListener('click', () => {
    const live = meeting.streaming !== null && meeting.streaming.status !== 'off'
    if (live) void run(streamButton, () => meeting.capture('stopStreaming', {}))
    else dialog.open(meeting.streaming?.preset === true)
  })

  const off = meeting.on('capture', render)
  render()
  return {
    indicators,
    controls,
    status,
    close: () => {
      off()
      dialog.root.remove()
    },
  }
}

/** streamDialog asks the host for the RTMP(S) URL and key (optional with an admin's preset). */
function streamDialog(meeting: Meeting): { root: HTMLDialogElement; open(preset: boolean): void } {
  const url = h('input', { name: 'url', type: 'url', inputmode: 'url', autocomplete: 'off', spellcheck: 'false', placeholder: 'rtmps://live.example.com/app', 'data-testid': 'stream-url' })
  const key = h('input', { name: 'key', type: 'password', autocomplete: 'off', 'data-testid': 'stream-key' })
  const presetNote = h('p', { class: 'muted', hidden: true }, t('capture.streamPreset'))
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true })
  const start = h('button', { type: 'submit', class: 'btn btn--primary', 'data-testid': 'stream-start' }, t('capture.streamStart'))
  const cancel = h('button', { type: 'button', class: 'btn' }, t('capture.cancel'))
  const form = h('form', { method: 'dialog', class: 'stream-dialog__form' }, [
    h('h2', {}, t('capture.streamDialogTitle')),
    h('p', { class: 'muted' }, t('capture.streamDialogIntro')),
    presetNote,
    h('label', { class: 'field' }, [h('span', { class: 'field__label' }, t('capture.streamUrl')), url]),
    h('label', { class: 'field' }, [h('span', { class: 'field__label' }, t('capture.streamKey')), key]),
    error,
    h('div', { class: 'stream-dialog__actions' }, [cancel, start]),
  ])
  const root = h('dialog', { class: 'stream-dialog', 'data-testid': 'stream-dialog' }, [form])
  let preset = false
  cancel.addEventListener('click', () => root.close())
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const target = url.value.trim()
    if (!target && !preset) {
      error.textContent = t('capture.refused.bad_request')
      error.hidden = false
      return
    }
    start.disabled = true
    try {
      await meeting.capture('startStreaming', target ? { url: target, key: key.value.trim() } : {})
      key.value = ''
      root.close()
    } catch (err) {
      error.textContent = refusalText(err)
      error.hidden = false
    } finally {
      start.disabled = false
    }
  })
  document.body.append(root)
  return {
    root,
    open(isPreset) {
      preset = isPreset
      presetNote.hidden = !isPreset
      url.required = !isPreset
      error.hidden = true
      root.showModal()
    },
  }
}
