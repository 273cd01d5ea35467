// The frame of the pages before sign-in: a centered card with the brand and the language switch.
import { h } from '../dom.ts'
import { brand } from './brand.ts'
import { langSwitch } from './lang-switch.ts'

/**
 * authLayout centers a card; `after` goes below it (notes that are not part of the form). The
 * language switch re-renders the route, so screens that are a step inside a route (the end of a
 * meeting) leave it out with `withLangSwitch: false`.
 */
export function authLayout(card: Node[], after: Node[] = [], withLangSwitch = true): HTMLElement {
  return h('div', { class: 'auth' }, [
    h('div', { class: 'auth__top' }, [brand(false), withLangSwitch ? langSwitch() : null]),
    h('main', { class: 'auth__main', id: 'main' }, [h('section', { class: 'card auth__card' }, card), ...after]),
  ])
}
