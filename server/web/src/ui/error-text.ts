// Turns any failure into a sentence for the user, by stable error code, in the current language.
import { ApiError } from '../api.ts'
import { hasMessage, t } from '../i18n/index.ts'

/** errorText returns the translated message for an error's code, or a generic one naming the code. */
export function errorText(error: unknown): string {
  const code = error instanceof ApiError ? error.code : (error as { code?: unknown } | null)?.code
  if (typeof code === 'string') {
    const key = `error.${code}`
    if (hasMessage(key)) return t(key)
    return t('error.generic', { code })
  }
  return t('error.generic', { code: error instanceof Error ? error.name : 'unknown' })
}
