// The meeting's control bar: microphone, camera, screen, chat, participants, leave.
import { h } from '../dom.ts'
import { icon, type IconName } from '../icons.ts'
import { t, type MessageKey } from '../i18n/index.ts'

export type ControlName = 'mic' | 'camera' | 'screen' | 'chat' | 'participants'

interface ToggleSpec {
  onIcon: IconName
  offIcon: IconName
  /** Labels say what a click does, so a screen reader user hears the action. */
  turnOn: MessageKey
  turnOff: MessageKey
}

const specs: Record<ControlName, ToggleSpec> = {
  mic: { onIcon: 'mic', offIcon: 'micOff', turnOn: 'controls.micOn', turnOff: 'controls.micOff' },
  camera: { onIcon: 'camera', offIcon: 'cameraOff', turnOn: 'controls.cameraOn', turnOff: 'controls.cameraOff' },
  screen: { onIcon: 'screen', offIcon: 'screen', turnOn: 'controls.screenOn', turnOff: 'controls.screenOff' },
  chat: { onIcon: 'chat', offIcon: 'chat', turnOn: 'controls.chatOpen', turnOff: 'controls.chatClose' },
  participants: { onIcon: 'people', offIcon: 'people', turnOn: 'controls.participantsOpen', turnOff: 'controls.participantsClose' },
}

export interface Controls {
  root: HTMLElement
  /** set shows a toggle as on (aria-pressed=true) or off. */
  set(name: ControlName, on: boolean): void
  setDisabled(name: ControlName, disabled: boolean): void
  /** setHidden removes a control this browser cannot use (screen sharing on phones). */
  setHidden(name: ControlName, hidden: boolean): void
  /** setBadge shows a count on a toggle (unread chat messages); 0 hides it. */
  setBadge(name: ControlName, count: number): void
}

/** createControls builds the bar; `onToggle` and `onLeave` receive the clicks. */
export function createControls(onToggle: (name: ControlName) => void, onLeave: () => void): Controls {
  const buttons = new Map<ControlName, { button: HTMLButtonElement; badge: HTMLElement }>()
  const make = (name: ControlName, extraClass = '') => {
    const badge = h('span', { class: 'ctl__badge', hidden: true, 'data-testid': `${name}-badge` })
    const button = h('button', { type: 'button', class: `ctl ${extraClass}`, 'data-testid': `toggle-${name}`, 'aria-pressed': 'false' }, [badge])
    button.addEventListener('click', () => onToggle(name))
    buttons.set(name, { button, badge })
    return button
  }

  const leave = h(
    'button',
    { type: 'button', class: 'ctl ctl--leave', 'data-testid': 'leave', 'aria-label': t('controls.leave'), title: t('controls.leave') },
    [icon('leave')],
  )
  leave.addEventListener('click', onLeave)

  const root = h('footer', { class: 'controls', 'aria-label': t('controls.label') }, [
    h('div', { class: 'controls__group' }, [make('mic', 'ctl--device'), make('camera', 'ctl--device'), make('screen')]),
    h('div', { class: 'controls__group' }, [make('chat'), make('participants'), leave]),
  ])

  const controls: Controls = {
    root,
    set(name, on) {
      const entry = buttons.get(name)
      if (!entry) return
      const spec = specs[name]
      const { button, badge } = entry
      const label = t(on ? spec.turnOff : spec.turnOn)
      button.setAttribute('aria-pressed', String(on))
      button.dataset.state = on ? 'on' : 'off'
      button.setAttribute('aria-label', label)
      button.title = label
      button.replaceChildren(icon(on ? spec.onIcon : spec.offIcon), badge)
    },
    setDisabled(name, disabled) {
      const entry = buttons.get(name)
      if (entry) entry.button.disabled = disabled
    },
    setHidden(name, hidden) {
      const entry = buttons.get(name)
      if (entry) entry.button.hidden = hidden
    },
    setBadge(name, count) {
      const entry = buttons.get(name)
      if (!entry) return
      entry.badge.hidden = count === 0
      entry.badge.textContent = count > 9 ? '9+' : String(count)
    },
  }
  for (const name of buttons.keys()) controls.set(name, false)
  return controls
}
