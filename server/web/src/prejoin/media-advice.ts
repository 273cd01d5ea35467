// What to tell the user when the camera or microphone cannot be opened, and how to fix it.
import { t, type MessageKey } from '../i18n/index.ts'
import type { MediaProblem } from '../meeting/local-media.ts'

/** mediaAdvice explains a problem; `got` says which device did open, for the partial cases. */
export function mediaAdvice(problem: MediaProblem, got: { mic: boolean; camera: boolean }): string {
  if (problem === 'notFound' && got.mic && !got.camera) return t('media.noCamera')
  if (problem === 'notFound' && got.camera && !got.mic) return t('media.noMic')
  const keys: Record<MediaProblem, MessageKey> = {
    denied: isFirefox() ? 'media.deniedFirefox' : isSafari() ? 'media.deniedSafari' : 'media.deniedChrome',
    notFound: 'media.notFound',
    inUse: 'media.inUse',
    insecure: 'media.insecure',
    other: 'media.other',
  }
  return t(keys[problem])
}

function isFirefox(): boolean {
  return /firefox/i.test(navigator.userAgent)
}

function isSafari(): boolean {
  return /safari/i.test(navigator.userAgent) && !/chrome|chromium|crios|android/i.test(navigator.userAgent)
}
