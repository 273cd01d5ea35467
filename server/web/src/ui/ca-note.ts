// The hint that fixes certificate warnings: the appliance signs its https certificate with its own CA.
import { h } from '../dom.ts'
import { icon } from '../icons.ts'
import { t } from '../i18n/index.ts'

/**
 * caNote explains when and why to install /ca.crt and links to it. A server that uses the
 * organisation's own certificate has no CA to offer (404); the note then hides itself.
 */
export function caNote(): HTMLElement {
  const note = h('aside', { class: 'ca-note', 'data-testid': 'ca-note' }, [
    icon('shield'),
    h('div', {}, [
      h('strong', {}, t('ca.title')),
      h('p', {}, t('ca.body')),
      h('a', { href: '/ca.crt', download: 'veche-ca.crt', 'data-testid': 'ca-link' }, t('ca.download')),
    ]),
  ])
  fetch('/ca.crt', { method: 'HEAD', credentials: 'same-origin' })
    .then((response) => {
      if (response.status === 404) note.hidden = true
    })
    .catch(() => {
      // Unreachable server: the page says so elsewhere; keep the hint.
    })
  return note
}
