// The meeting chat: history from join, new messages as they come, and the composer.
import type { ChatMessage } from '../../../signaling/protocol.ts'
import { h } from '../dom.ts'
import { icon } from '../icons.ts'
import { formatTime, t } from '../i18n/index.ts'
import { createPanel, type PanelFrame } from './panel.ts'

export interface ChatPanel {
  frame: PanelFrame
  add(message: ChatMessage, own: boolean): void
  reset(messages: readonly ChatMessage[], isOwn: (message: ChatMessage) => boolean): void
  focusInput(): void
}

const maxLength = 2000

function messageItem(message: ChatMessage, own: boolean): HTMLElement {
  return h('li', { class: own ? 'msg msg--own' : 'msg', 'data-testid': 'chat-message', 'data-message-id': message.id }, [
    h('div', { class: 'msg__meta' }, [
      h('span', { class: 'msg__author', 'data-testid': 'chat-author' }, own ? t('chat.you') : message.displayName),
      h('time', { class: 'msg__time', datetime: new Date(message.at).toISOString() }, formatTime(message.at)),
    ]),
    h('p', { class: 'msg__text', 'data-testid': 'chat-text' }, message.text),
  ])
}

/** createChatPanel builds the panel; `send` posts a message and rejects when it could not be sent. */
export function createChatPanel(send: (text: string) => Promise<void>, onClose: () => void, onSendFailed: () => void): ChatPanel {
  const list = h('ol', { class: 'chat__list', 'aria-live': 'polite', 'data-testid': 'chat-list' })
  const empty = h('p', { class: 'chat__empty' }, t('chat.empty'))
  const input = h('textarea', {
    class: 'chat__input',
    'data-testid': 'chat-input',
    name: 'message',
    rows: 1,
    maxlength: maxLength,
    placeholder: t('chat.placeholder'),
    'aria-label': t('chat.placeholder'),
  })
  const sendButton = h('button', { type: 'submit', class: 'icon-btn icon-btn--accent', 'data-testid': 'chat-send', 'aria-label': t('chat.send'), title: t('chat.send') }, [icon('send')])
  const form = h('form', { class: 'chat__form' }, [input, sendButton])
  const scroller = h('div', { class: 'chat__scroll' }, [empty, list])

  const fitInput = () => {
    input.style.height = 'auto'
    input.style.height = `${Math.min(input.scrollHeight, 120)}px`
  }
  const submit = async () => {
    const text = input.value.trim()
    if (!text) return
    sendButton.disabled = true
    try {
      await send(text)
      input.value = ''
      fitInput()
    } catch {
      onSendFailed()
    } finally {
      sendButton.disabled = false
      input.focus()
    }
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    void submit()
  })
  input.addEventListener('input', fitInput)
  input.addEventListener('keydown', (event) => {
    // Enter sends, Shift+Enter is a new line; while an IME composes, Enter confirms the composition.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault()
      void submit()
    }
  })

  const frame = createPanel('chat', [scroller, form], onClose)
  frame.setTitle(t('chat.title'))

  const stickToBottom = (wasAtBottom: boolean) => {
    if (wasAtBottom) scroller.scrollTop = scroller.scrollHeight
  }
  const atBottom = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40

  return {
    frame,
    add(message, own) {
      const wasAtBottom = atBottom()
      list.append(messageItem(message, own))
      empty.hidden = true
      stickToBottom(wasAtBottom || own)
    },
    reset(messages, isOwn) {
      list.replaceChildren(...messages.map((message) => messageItem(message, isOwn(message))))
      empty.hidden = messages.length > 0
      stickToBottom(true)
    },
    focusInput() {
      input.focus()
      stickToBottom(true)
    },
  }
}
