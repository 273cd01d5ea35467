// The strip above every page while the server runs a development license (`veche serve --dev`):
// nobody should mistake a checkout signed with the public test keys for a production server.
import { api } from '../api.ts'
import { h } from '../dom.ts'
import { onLangChange, t } from '../i18n/index.ts'

/**
 * mountDevBanner puts the (hidden) banner before `outlet` and shows it once the server says its
 * license is a development one. A failed request shows nothing: the pages report their own errors.
 */
export function mountDevBanner(outlet: HTMLElement): void {
  const text = h('strong', {}, t('devLicense.banner'))
  const banner = h('div', { class: 'dev-banner', role: 'note', 'data-testid': 'dev-banner', hidden: true }, text)
  outlet.before(banner)
  onLangChange(() => (text.textContent = t('devLicense.banner')))
  api.licenseKind().then(
    ({ kind }) => (banner.hidden = kind !== 'development'),
    () => undefined,
  )
}
