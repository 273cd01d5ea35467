// What the user sees when a page cannot load: the server is unreachable or answered with an error.
import { ApiError } from '../api.ts'
import { h } from '../dom.ts'
import { t } from '../i18n/index.ts'
import { authLayout } from './auth-layout.ts'
import { errorText } from './error-text.ts'

/** failurePage explains the failure and offers to try again. */
export function failurePage(error: unknown, retry: () => void): HTMLElement {
  const unreachable = error instanceof ApiError && error.code === 'network'
  document.title = 'Veche'
  return authLayout([
    h('h1', {}, unreachable ? t('failure.unreachableTitle') : t('failure.title')),
    h('p', { class: 'muted', 'data-testid': 'page-error' }, unreachable ? t('failure.unreachableBody') : errorText(error)),
    h('button', { type: 'button', class: 'btn btn--primary', onclick: retry }, t('common.retry')),
  ])
}
