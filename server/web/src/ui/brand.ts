// The product mark and name, as shown in page headers and on the sign-in card.
import { h } from '../dom.ts'

/** brand renders the logo and wordmark; as a link it leads to the start page. */
export function brand(asLink: boolean): HTMLElement {
  const content = [h('img', { src: '/icon.svg', alt: '', width: 28, height: 28 }), h('span', {}, 'Veche')]
  return asLink ? h('a', { class: 'brand', href: '/', 'data-nav': true }, content) : h('div', { class: 'brand' }, content)
}
