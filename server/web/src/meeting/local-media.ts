// Access to this computer's camera, microphone and screen, and what went wrong when access fails.

/** Why a camera or microphone could not be opened; each has its own advice for the user. */
export type MediaProblem = 'denied' | 'notFound' | 'inUse' | 'insecure' | 'other'

/** mediaSupported tells whether the page can use cameras at all (only over https or on localhost). */
export function mediaSupported(): boolean {
  return window.isSecureContext && typeof navigator.mediaDevices?.getUserMedia === 'function'
}

/** screenShareSupported tells whether this browser can share a screen (phones usually cannot). */
export function screenShareSupported(): boolean {
  return typeof navigator.mediaDevices?.getDisplayMedia === 'function'
}

/** mediaProblem classifies a getUserMedia failure. */
export function mediaProblem(error: unknown): MediaProblem {
  if (!mediaSupported()) return 'insecure'
  const name = error instanceof DOMException || error instanceof Error ? error.name : ''
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') return 'denied'
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') return 'notFound'
  if (name === 'NotReadableError' || name === 'TrackStartError' || name === 'AbortError') return 'inUse'
  return 'other'
}

function audioConstraints(deviceId: string | null): MediaTrackConstraints {
  return {
    echoCancellation: true,
    noiseSuppression: true,
    autoGainControl: true,
    ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
  }
}

function videoConstraints(deviceId: string | null): MediaTrackConstraints {
  return {
    width: { ideal: 1280 },
    height: { ideal: 720 },
    frameRate: { ideal: 30, max: 30 },
    ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
  }
}

/** openMic returns a live microphone track; throws the browser's error (see mediaProblem). */
export async function openMic(deviceId: string | null): Promise<MediaStreamTrack> {
  if (!mediaSupported()) throw new DOMException('insecure context', 'SecurityError')
  const stream = await navigator.mediaDevices.getUserMedia({ audio: audioConstraints(deviceId) })
  const track = stream.getAudioTracks()[0]
  if (!track) throw new DOMException('no audio track', 'NotFoundError')
  return track
}

/** openCamera returns a live camera track; throws the browser's error (see mediaProblem). */
export async function openCamera(deviceId: string | null): Promise<MediaStreamTrack> {
  if (!mediaSupported()) throw new DOMException('insecure context', 'SecurityError')
  const stream = await navigator.mediaDevices.getUserMedia({ video: videoConstraints(deviceId) })
  const track = stream.getVideoTracks()[0]
  if (!track) throw new DOMException('no video track', 'NotFoundError')
  return track
}

/**
 * openBoth asks for camera and microphone in one prompt, then falls back to whichever exists: a
 * laptop without a camera should still get its microphone. Returns what could be opened and the
 * problem that stopped the rest (null when both opened).
 */
export async function openBoth(options: { micId: string | null; cameraId: string | null; wantMic: boolean; wantCamera: boolean }): Promise<{
  mic: MediaStreamTrack | null
  camera: MediaStreamTrack | null
  problem: MediaProblem | null
}> {
  if (!options.wantMic && !options.wantCamera) return { mic: null, camera: null, problem: null }
  if (!mediaSupported()) return { mic: null, camera: null, problem: 'insecure' }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: options.wantMic ? audioConstraints(options.micId) : false,
      video: options.wantCamera ? videoConstraints(options.cameraId) : false,
    })
    return { mic: stream.getAudioTracks()[0] ?? null, camera: stream.getVideoTracks()[0] ?? null, problem: null }
  } catch (error) {
    const problem = mediaProblem(error)
    // Denied is final for both; a missing or busy device may affect only one of the two.
    if (problem === 'denied' || !options.wantMic || !options.wantCamera) return { mic: null, camera: null, problem }
    const mic = await openMic(options.micId).catch(() => null)
    const camera = await openCamera(options.cameraId).catch(() => null)
    return { mic, camera, problem }
  }
}

export interface DeviceLists {
  mics: MediaDeviceInfo[]
  cameras: MediaDeviceInfo[]
}

/** listDevices returns the microphones and cameras; labels are only filled after access was granted. */
export async function listDevices(): Promise<DeviceLists> {
  if (!mediaSupported()) return { mics: [], cameras: [] }
  const devices = await navigator.mediaDevices.enumerateDevices()
  return {
    mics: devices.filter((device) => device.kind === 'audioinput' && device.deviceId),
    cameras: devices.filter((device) => device.kind === 'videoinput' && device.deviceId),
  }
}

/** openScreen asks the user to pick a screen or window; throws when they cancel. */
export async function openScreen(): Promise<MediaStreamTrack> {
  const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: false })
  const track = stream.getVideoTracks()[0]
  if (!track) throw new DOMException('no screen track', 'NotFoundError')
  // Tells the encoder to keep text sharp rather than motion smooth.
  track.contentHint = 'detail'
  return track
}
