// The side panel frame (a full-screen sheet on phones) that hosts the chat or the participant list.
import { h } from '../dom.ts'
import { icon } from '../icons.ts'
import { t } from '../i18n/index.ts'

export interface PanelFrame {
  root: HTMLElement
  setTitle(title: string): void
}

/** createPanel wraps `body` with a heading and a close button that calls `onClose`. */
export function createPanel(name: 'chat' | 'participants', body: Node[], onClose: () => void): PanelFrame {
  const title = h('h2', { class: 'panel__title', id: `panel-${name}-title` })
  const close = h('button', { type: 'button', class: 'icon-btn', 'aria-label': t('panel.close'), title: t('panel.close'), 'data-testid': `${name}-close` }, [icon('close')])
  close.addEventListener('click', onClose)
  const root = h('aside', { class: 'panel', 'data-panel': name, 'data-testid': `${name}-panel`, 'aria-labelledby': title.id, hidden: true }, [
    h('div', { class: 'panel__head' }, [title, close]),
    ...body,
  ])
  return { root, setTitle: (text) => (title.textContent = text) }
}
