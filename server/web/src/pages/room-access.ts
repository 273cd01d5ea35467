// A room's access settings on the rooms page: lobby mode and the guests' PIN (the creator's choice).
import { api, type LobbyMode, type RoomSummary } from '../api.ts'
import { h } from '../dom.ts'
import { t } from '../i18n/index.ts'
import { errorText } from '../ui/error-text.ts'
import { formError, setError, submitting } from '../ui/form.ts'

const modes = { off: 'rooms.lobbyOff', guests: 'rooms.lobbyGuests', everyone: 'rooms.lobbyEveryone' } as const

/** roomAccess renders the collapsed form; `onSaved` gets the room as the server now has it. */
export function roomAccess(room: RoomSummary, onSaved: (room: RoomSummary) => void): HTMLElement {
  const id = (name: string) => `${name}-${room.id}`
  const lobby = h(
    'select',
    { name: 'lobby', id: id('lobby'), 'data-testid': 'room-lobby' },
    (Object.keys(modes) as LobbyMode[]).map((mode) => h('option', { value: mode, selected: mode === room.lobby }, t(modes[mode]))),
  )
  const pin = h('input', { name: 'pin', id: id('pin'), type: 'password', inputmode: 'numeric', autocomplete: 'new-password', maxlength: 12, placeholder: t('rooms.pinPlaceholder'), 'data-testid': 'room-pin' })
  const removePin = room.pinSet ? h('input', { type: 'checkbox', name: 'removePin', id: id('remove-pin'), 'data-testid': 'room-remove-pin' }) : null
  const saved = h('span', { class: 'muted', role: 'status' })
  const error = formError()
  const form = h('form', { class: 'room-access', novalidate: true, 'data-testid': 'room-access' }, [
    h('div', { class: 'field' }, [h('label', { for: id('lobby') }, t('rooms.lobby')), lobby]),
    h('div', { class: 'field' }, [
      h('label', { for: id('pin') }, t('rooms.pin')),
      pin,
      room.pinSet ? h('small', { class: 'field__hint' }, t('rooms.pinIsSet')) : null,
    ]),
    removePin ? h('label', { class: 'check' }, [removePin, ' ', t('rooms.removePin')]) : null,
    h('div', {}, [h('button', { type: 'submit', class: 'btn btn--small btn--primary' }, t('rooms.saveAccess')), ' ', saved]),
    error,
  ])
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const newPin = pin.value.trim()
    if (newPin && !/^[0-9]{4,12}$/.test(newPin)) return setError(error, t('rooms.pinInvalid'))
    setError(error, null)
    const body: { lobby: LobbyMode; pin?: string | null } = { lobby: lobby.value as LobbyMode }
    if (newPin) body.pin = newPin
    else if (removePin?.checked) body.pin = null
    try {
      const { room: updated } = await submitting(form, () => api.updateRoom(room.id, body))
      saved.textContent = t('rooms.accessSaved')
      onSaved(updated)
    } catch (err) {
      setError(error, errorText(err))
    }
  })
  return h('details', { class: 'room-card__access' }, [h('summary', {}, t('rooms.access')), form])
}
