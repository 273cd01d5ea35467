// The employee's rooms: create one, copy its link, join it, delete it.
import { api, ApiError, type RoomSummary } from '../api.ts'
import { formValues, h, setChildren } from '../dom.ts'
import { formatDate, t } from '../i18n/index.ts'
import { icon } from '../icons.ts'
import { roomAccess } from './room-access.ts'
import { openInviteDialog } from '../invite/invite-dialog.ts'
import { navigate, signInAgain, type PageContext } from '../router.ts'
import { currentUserOrNull } from '../session.ts'
import { appShell } from '../ui/app-shell.ts'
import { caNote } from '../ui/ca-note.ts'
import { copyText } from '../ui/clipboard.ts'
import { errorText } from '../ui/error-text.ts'
import { takeFlash } from '../ui/flash.ts'
import { licenseNotice } from '../ui/license-notice.ts'
import { formError, setError, submitting } from '../ui/form.ts'

// Participant counts change while the page is open; a light poll keeps them honest.
const refreshEveryMs = 20_000

function handleAuthFailure(error: unknown): boolean {
  if (error instanceof ApiError && error.status === 401) {
    signInAgain()
    return true
  }
  return false
}

function roomItem(room: RoomSummary, onDeleted: () => void, showError: (message: string) => void, onSaved: (room: RoomSummary) => void): HTMLElement {
  const copyLabel = h('span', {}, t('rooms.copy'))
  const copy = h('button', { type: 'button', class: 'btn btn--small', 'data-testid': 'room-copy' }, [icon('copy'), copyLabel])
  copy.addEventListener('click', async () => {
    const copied = await copyText(room.url)
    copyLabel.textContent = copied ? t('rooms.copied') : t('rooms.copyFailed')
    setTimeout(() => (copyLabel.textContent = t('rooms.copy')), 2000)
  })

  const invite = h(
    'button',
    { type: 'button', class: 'btn btn--small', 'data-testid': 'room-invite', 'aria-label': t('invitations.actionLabel', { title: room.title }) },
    [icon('send'), h('span', {}, t('invitations.action'))],
  )
  invite.addEventListener('click', () => openInviteDialog(room))

  const join = h('button', { type: 'button', class: 'btn btn--primary btn--small', 'data-testid': 'room-join' }, t('rooms.join'))
  join.addEventListener('click', () => navigate(`/r/${encodeURIComponent(room.id)}`))

  const remove = h(
    'button',
    { type: 'button', class: 'btn btn--ghost btn--small btn--danger', 'data-testid': 'room-delete', 'aria-label': t('rooms.deleteLabel', { title: room.title }), title: t('rooms.delete') },
    [icon('trash')],
  )
  remove.addEventListener('click', async () => {
    const question = room.participants > 0
      ? t('rooms.confirmDeleteBusy', { title: room.title, count: room.participants })
      : t('rooms.confirmDelete', { title: room.title })
    if (!window.confirm(question)) return
    remove.disabled = true
    try {
      await api.deleteRoom(room.id)
      onDeleted()
    } catch (error) {
      remove.disabled = false
      if (!handleAuthFailure(error)) showError(errorText(error))
    }
  })

  const presence = room.participants > 0
    ? h('span', { class: 'badge badge--live', 'data-testid': 'room-participants' }, t('rooms.inMeeting', { count: room.participants }))
    : h('span', { class: 'muted', 'data-testid': 'room-participants' }, t('rooms.empty'))

  return h('li', { class: 'room-card', 'data-testid': 'room-item', 'data-room-id': room.id }, [
    h('div', { class: 'room-card__info' }, [
      h('h3', { class: 'room-card__title' }, room.title),
      h('div', { class: 'room-card__meta' }, [h('span', { class: 'muted' }, t('rooms.created', { date: formatDate(room.createdAt) })), presence]),
      h('a', { class: 'room-card__link', href: room.url, 'data-testid': 'room-link' }, [icon('link'), h('span', {}, room.url)]),
      roomAccess(room, onSaved),
    ]),
    h('div', { class: 'room-card__actions' }, [copy, invite, join, remove]),
  ])
}

/** roomsPage lists the caller's rooms and the form to create one. */
export async function roomsPage(ctx: PageContext): Promise<HTMLElement> {
  document.title = `${t('rooms.title')} · Veche`
  const user = await currentUserOrNull(ctx.signal)
  if (!user) throw new ApiError('unauthenticated', 401, 'signed out')
  // Read together so the license warning is in place on first paint instead of pushing the page down.
  const [roomList, license] = await Promise.all([
    api.listRooms(ctx.signal),
    api.license(ctx.signal).catch(() => null),
  ])
  let rooms = roomList.rooms

  const listError = h('p', { class: 'form-error', role: 'alert', hidden: true, 'data-testid': 'list-error' })
  const list = h('ul', { class: 'rooms', 'data-testid': 'room-list' })
  const showListError = (message: string | null) => setError(listError, message)

  const render = () => {
    const sorted = [...rooms].sort((a, b) => b.createdAt - a.createdAt)
    setChildren(
      list,
      sorted.length === 0
        ? h('li', { class: 'empty', 'data-testid': 'rooms-empty' }, t('rooms.none'))
        : sorted.map((room) =>
            roomItem(
              room,
              () => {
                rooms = rooms.filter((other) => other.id !== room.id)
                render()
              },
              showListError,
              // Kept in the list without a re-render, so the open form stays as it is.
              (updated) => (rooms = rooms.map((other) => (other.id === updated.id ? updated : other))),
            ),
          ),
    )
  }
  render()

  const createError = formError()
  const form = h('form', { id: 'create-room-form', class: 'inline-form', novalidate: true }, [
    h('label', { class: 'visually-hidden', for: 'room-title' }, t('rooms.titleLabel')),
    h('input', { id: 'room-title', name: 'title', required: true, maxlength: 120, placeholder: t('rooms.titlePlaceholder'), autocomplete: 'off' }),
    h('button', { type: 'submit', class: 'btn btn--primary' }, t('rooms.create')),
  ])
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const { title = '' } = formValues(form)
    if (!title) return setError(createError, t('rooms.titleRequired'))
    setError(createError, null)
    try {
      const { room } = await submitting(form, () => api.createRoom({ title }))
      rooms = [room, ...rooms.filter((other) => other.id !== room.id)]
      form.reset()
      render()
    } catch (error) {
      if (!handleAuthFailure(error)) setError(createError, errorText(error))
    }
  })

  const timer = setInterval(async () => {
    if (document.hidden) return
    try {
      const fresh = (await api.listRooms(ctx.signal)).rooms
      if (JSON.stringify(fresh) === JSON.stringify(rooms)) return
      // A re-render would reset a "Copied" label or a pending confirm; skip while the user is mid-action.
      if (list.contains(document.activeElement) || list.querySelector('details[open]')) return
      rooms = fresh
      render()
    } catch (error) {
      handleAuthFailure(error)
    }
  }, refreshEveryMs)
  ctx.signal.addEventListener('abort', () => clearInterval(timer))

  return appShell(user, 'rooms', [
    takeFlash(),
    licenseNotice(user, license),
    h('div', { class: 'page-head' }, [h('h1', {}, t('rooms.title')), h('p', { class: 'muted' }, t('rooms.intro'))]),
    h('section', { class: 'card' }, [h('h2', { class: 'card__title' }, t('rooms.createTitle')), form, createError]),
    listError,
    list,
    caNote(),
  ].filter((node): node is HTMLElement => node !== null))
}
