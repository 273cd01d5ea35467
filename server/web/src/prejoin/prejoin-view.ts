// The lobby before a meeting: camera preview, device choice, guest name, and the join button.
import type { MeetingOptions } from '../meeting/meeting.ts'
import type { PublicRoom, User } from '../api.ts'
import { h, setChildren, toggleAttr } from '../dom.ts'
import { icon } from '../icons.ts'
import { t } from '../i18n/index.ts'
import { listDevices, mediaProblem, openBoth, openCamera, openMic, type MediaProblem } from '../meeting/local-media.ts'
import { brand } from '../ui/brand.ts'
import { langSwitch } from '../ui/lang-switch.ts'
import { avatarHue, initials } from '../ui/initials.ts'
import { mediaAdvice } from './media-advice.ts'

const guestNameKey = 'veche.guestName'
const deviceKey = { mic: 'veche.micId', camera: 'veche.cameraId' } as const

/** What the person chose on the pre-join page: everything a meeting starts with but its room. */
export type JoinChoice = Omit<MeetingOptions, 'roomId'>

function remembered(key: string): string | null {
  try {
    return localStorage.getItem(key)
  } catch {
    return null
  }
}

function remember(key: string, value: string): void {
  try {
    localStorage.setItem(key, value)
  } catch {
    // Not remembered for next time; nothing else depends on it.
  }
}

/**
 * prejoinView renders the lobby. The tracks it opens belong to it until `onJoin` hands them over; if
 * the user leaves instead (`signal` aborts), they are stopped so the camera light goes off.
 */
export function prejoinView(options: { room: PublicRoom; user: User | null; signal: AbortSignal; onJoin: (choice: JoinChoice) => void }): HTMLElement {
  const { room, user, signal } = options
  document.title = `${room.title} · Veche`
  let mic: MediaStreamTrack | null = null
  let camera: MediaStreamTrack | null = null
  let wantMic = true
  let wantCamera = true
  let handedOver = false
  let micId = remembered(deviceKey.mic)
  let cameraId = remembered(deviceKey.camera)

  const preview = h('video', { 'data-testid': 'preview', autoplay: true, playsinline: true, muted: true, class: 'preview__video' })
  preview.muted = true
  const previewName = user?.displayName ?? remembered(guestNameKey) ?? ''
  const avatar = h('div', { class: 'preview__avatar', 'aria-hidden': 'true' }, initials(previewName || '?'))
  avatar.style.setProperty('--hue', String(avatarHue(previewName)))
  const previewState = h('p', { class: 'preview__state' })
  const micToggle = h('button', { type: 'button', class: 'ctl ctl--device', 'data-testid': 'prejoin-toggle-mic' })
  const cameraToggle = h('button', { type: 'button', class: 'ctl ctl--device', 'data-testid': 'prejoin-toggle-camera' })
  const micSelect = h('select', { name: 'mic', class: 'select', 'aria-label': t('prejoin.microphone') })
  const cameraSelect = h('select', { name: 'camera', class: 'select', 'aria-label': t('prejoin.camera') })
  const mediaError = h('div', { class: 'media-error', 'data-testid': 'media-error', role: 'alert', hidden: true })
  const previewBox = h('div', { class: 'preview' }, [avatar, preview, previewState, h('div', { class: 'preview__controls' }, [micToggle, cameraToggle])])

  const showProblem = (problem: MediaProblem | null) => {
    mediaError.hidden = problem === null
    if (problem) setChildren(mediaError, [icon('warning'), h('p', {}, mediaAdvice(problem, { mic: mic !== null, camera: camera !== null }))])
  }

  const render = () => {
    const micOn = wantMic && mic !== null
    const cameraOn = wantCamera && camera !== null
    if (mic) mic.enabled = wantMic
    const label = (on: boolean, onKey: 'controls.micOff' | 'controls.cameraOff', offKey: 'controls.micOn' | 'controls.cameraOn') => t(on ? onKey : offKey)
    micToggle.setAttribute('aria-pressed', String(micOn))
    micToggle.dataset.state = micOn ? 'on' : 'off'
    micToggle.setAttribute('aria-label', label(micOn, 'controls.micOff', 'controls.micOn'))
    micToggle.title = micToggle.getAttribute('aria-label') ?? ''
    micToggle.replaceChildren(icon(micOn ? 'mic' : 'micOff'))
    cameraToggle.setAttribute('aria-pressed', String(cameraOn))
    cameraToggle.dataset.state = cameraOn ? 'on' : 'off'
    cameraToggle.setAttribute('aria-label', label(cameraOn, 'controls.cameraOff', 'controls.cameraOn'))
    cameraToggle.title = cameraToggle.getAttribute('aria-label') ?? ''
    cameraToggle.replaceChildren(icon(cameraOn ? 'camera' : 'cameraOff'))
    const stream = preview.srcObject instanceof MediaStream ? preview.srcObject : null
    if (stream?.getVideoTracks()[0] !== (cameraOn ? camera : undefined)) {
      preview.srcObject = cameraOn && camera ? new MediaStream([camera]) : null
    }
    toggleAttr(previewBox, 'data-has-video', cameraOn)
    previewState.textContent = cameraOn ? '' : wantCamera ? t('prejoin.noCamera') : t('prejoin.cameraIsOff')
  }

  const fillSelect = (select: HTMLSelectElement, devices: MediaDeviceInfo[], selected: string | null, noneKey: 'prejoin.noMics' | 'prejoin.noCameras') => {
    if (devices.length === 0) {
      setChildren(select, h('option', { value: '' }, t(noneKey)))
      select.disabled = true
      return
    }
    select.disabled = false
    setChildren(
      select,
      devices.map((device, index) =>
        h('option', { value: device.deviceId, selected: device.deviceId === selected }, device.label || `${t(noneKey === 'prejoin.noMics' ? 'prejoin.microphone' : 'prejoin.camera')} ${index + 1}`),
      ),
    )
  }

  const refreshDevices = async () => {
    const { mics, cameras } = await listDevices().catch(() => ({ mics: [], cameras: [] }))
    if (signal.aborted) return
    fillSelect(micSelect, mics, mic?.getSettings().deviceId ?? micId, 'prejoin.noMics')
    fillSelect(cameraSelect, cameras, camera?.getSettings().deviceId ?? cameraId, 'prejoin.noCameras')
  }

  const start = async () => {
    const opened = await openBoth({ micId, cameraId, wantMic: true, wantCamera: true })
    // A remembered device that was unplugged fails with OverconstrainedError: retry with the defaults.
    const result = opened.problem === 'notFound' && (micId || cameraId)
      ? await openBoth({ micId: null, cameraId: null, wantMic: true, wantCamera: true })
      : opened
    if (signal.aborted || handedOver) {
      result.mic?.stop()
      result.camera?.stop()
      return
    }
    mic = result.mic
    camera = result.camera
    showProblem(result.problem)
    render()
    await refreshDevices()
  }

  micToggle.addEventListener('click', () => {
    wantMic = !wantMic
    render()
  })
  cameraToggle.addEventListener('click', async () => {
    wantCamera = !wantCamera
    if (!wantCamera) {
      // Off means off: release the camera so its light goes out, as people expect.
      camera?.stop()
      camera = null
    } else if (!camera) {
      cameraToggle.disabled = true
      try {
        camera = await openCamera(cameraId)
        showProblem(null)
      } catch (error) {
        showProblem(mediaProblem(error))
      } finally {
        cameraToggle.disabled = false
      }
      if (signal.aborted) camera?.stop()
    }
    render()
  })
  micSelect.addEventListener('change', async () => {
    micId = micSelect.value || null
    if (micId) remember(deviceKey.mic, micId)
    const previous = mic
    try {
      mic = await openMic(micId)
      previous?.stop()
      showProblem(null)
    } catch (error) {
      showProblem(mediaProblem(error))
    }
    render()
  })
  cameraSelect.addEventListener('change', async () => {
    cameraId = cameraSelect.value || null
    if (cameraId) remember(deviceKey.camera, cameraId)
    if (!wantCamera) return
    const previous = camera
    previous?.stop()
    try {
      camera = await openCamera(cameraId)
      showProblem(null)
    } catch (error) {
      camera = null
      showProblem(mediaProblem(error))
    }
    render()
  })

  const nameInput = user
    ? null
    : h('input', { name: 'displayName', id: 'guest-name', autocomplete: 'name', maxlength: 64, required: true, value: remembered(guestNameKey) ?? '', placeholder: t('prejoin.namePlaceholder') })
  const nameError = h('p', { class: 'form-error', role: 'alert', hidden: true, 'data-testid': 'name-error' })
  nameInput?.addEventListener('input', () => {
    avatar.textContent = initials(nameInput.value || '?')
    avatar.style.setProperty('--hue', String(avatarHue(nameInput.value)))
  })

  // Only guests are asked: employees are known by their account.
  const pinInput =
    room.pinRequired && !user
      ? h('input', { name: 'pin', id: 'room-pin', type: 'password', inputmode: 'numeric', autocomplete: 'off', maxlength: 12, pattern: '[0-9]{4,12}', required: true, 'data-testid': 'pin' })
      : null

  const joinButton = h('button', { type: 'submit', class: 'btn btn--primary btn--block btn--large', 'data-testid': 'join' }, t('prejoin.join'))
  const form = h('form', { class: 'prejoin__form', novalidate: true }, [
    nameInput
      ? h('div', { class: 'field' }, [h('label', { for: 'guest-name' }, t('prejoin.yourName')), nameInput, h('small', { class: 'field__hint' }, t('prejoin.nameHint'))])
      : h('p', { class: 'prejoin__as' }, [t('prejoin.joiningAs'), ' ', h('strong', {}, user?.displayName ?? '')]),
    pinInput ? h('div', { class: 'field' }, [h('label', { for: 'room-pin' }, t('prejoin.pin')), pinInput, h('small', { class: 'field__hint' }, t('prejoin.pinHint'))]) : null,
    nameError,
    joinButton,
  ])
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    if (joinButton.disabled) return
    // Joining before the camera and microphone opened would join without them; wait for the
    // first attempt (the browser's permission prompt, if any, is on screen meanwhile).
    joinButton.disabled = true
    await started
    joinButton.disabled = false
    if (signal.aborted) return
    const guestName = nameInput ? nameInput.value.trim() : null
    if (nameInput && !guestName) {
      nameError.textContent = t('prejoin.nameRequired')
      nameError.hidden = false
      nameInput.focus()
      return
    }
    const pin = pinInput ? pinInput.value.trim() : null
    if (pinInput && !/^[0-9]{4,12}$/.test(pin ?? '')) {
      nameError.textContent = t('prejoin.pinRequired')
      nameError.hidden = false
      pinInput.focus()
      return
    }
    if (guestName) remember(guestNameKey, guestName)
    handedOver = true
    const micTrack = mic
    const cameraTrack = wantCamera ? camera : null
    if (!wantCamera) camera?.stop()
    options.onJoin({
      guestName,
      pin,
      mic: micTrack,
      micMuted: !wantMic,
      camera: cameraTrack,
      micDeviceId: micId,
      cameraDeviceId: cameraId,
    })
  })

  signal.addEventListener('abort', () => {
    preview.srcObject = null
    if (handedOver) return
    mic?.stop()
    camera?.stop()
  })

  render()
  const started = start().catch(() => {
    // openBoth reports problems instead of throwing; anything else leaves the user without media.
  })

  return h('div', { class: 'prejoin' }, [
    h('div', { class: 'auth__top' }, [brand(user !== null), langSwitch()]),
    h('main', { class: 'prejoin__main', id: 'main' }, [
      h('section', { class: 'prejoin__media' }, [
        previewBox,
        h('div', { class: 'devices' }, [
          h('label', { class: 'device' }, [icon('mic'), micSelect]),
          h('label', { class: 'device' }, [icon('camera'), cameraSelect]),
        ]),
        mediaError,
      ]),
      h('section', { class: 'prejoin__side' }, [
        h('p', { class: 'prejoin__eyebrow' }, t('prejoin.eyebrow')),
        h('h1', { class: 'prejoin__title', 'data-testid': 'room-title' }, room.title),
        form,
        user ? null : h('p', { class: 'muted small' }, [t('prejoin.haveAccount'), ' ', h('a', { href: `/signin?next=${encodeURIComponent(location.pathname)}`, 'data-nav': true }, t('prejoin.signIn'))]),
      ]),
    ]),
  ])
}
