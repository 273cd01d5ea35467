// The EN/RU switch shown on every page outside a meeting.
import { h } from '../dom.ts'
import { currentLang, setLang, t } from '../i18n/index.ts'

/** langSwitch renders one button showing both languages; a click switches to the other one. */
export function langSwitch(): HTMLButtonElement {
  const lang = currentLang()
  const other = lang === 'en' ? 'ru' : 'en'
  return h(
    'button',
    {
      type: 'button',
      class: 'lang-switch',
      'data-testid': 'lang-switch',
      'data-lang': lang,
      'aria-label': t('lang.switchTo'),
      title: t('lang.switchTo'),
      onclick: () => setLang(other),
    },
    [
      h('span', { class: lang === 'en' ? 'lang-switch__on' : '', lang: 'en' }, 'EN'),
      h('span', { class: lang === 'ru' ? 'lang-switch__on' : '', lang: 'ru' }, 'RU'),
    ],
  )
}
