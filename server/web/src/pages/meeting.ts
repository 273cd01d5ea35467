// The /r/:roomId route: lobby, then the meeting, then the end screen, all without leaving the address.
import { api, ApiError, type PublicRoom, type User } from '../api.ts'
import { h } from '../dom.ts'
import { t } from '../i18n/index.ts'
import { Meeting, type EndReason } from '../meeting/meeting.ts'
import { prejoinView, type JoinChoice } from '../prejoin/prejoin-view.ts'
import { endView } from '../room/end-view.ts'
import { roomView } from '../room/room-view.ts'
import { navigate, type PageContext } from '../router.ts'
import { currentUserOrNull } from '../session.ts'
import { authLayout } from '../ui/auth-layout.ts'
import { setFlash } from '../ui/flash.ts'

function missingRoom(user: User | null): HTMLElement {
  document.title = `${t('ended.notFoundTitle')} · Veche`
  return authLayout([
    h('div', { class: 'ended', 'data-testid': 'room-error' }, [
      h('h1', {}, t('ended.notFoundTitle')),
      h('p', { class: 'muted' }, t('ended.notFoundBody')),
      user ? h('a', { class: 'btn btn--primary', href: '/rooms', 'data-nav': true }, t('ended.backToRooms')) : null,
    ]),
  ])
}

/** meetingPage loads the room and the visitor, then runs the lobby -> meeting -> end sequence. */
export async function meetingPage(ctx: PageContext): Promise<HTMLElement> {
  const roomId = ctx.params.roomId ?? ''
  let room: PublicRoom
  const userPromise = currentUserOrNull(ctx.signal)
  try {
    room = (await api.getRoom(roomId, ctx.signal)).room
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return missingRoom(await userPromise.catch(() => null))
    throw error
  }
  const user = await userPromise

  const container = h('div', { class: 'meeting-page' })
  let stage = new AbortController()
  // Each stage gets its own signal, aborted when the next stage starts or the route is left.
  const nextStage = () => {
    stage.abort()
    stage = new AbortController()
    return stage.signal
  }
  ctx.signal.addEventListener('abort', () => stage.abort())

  const showLobby = () => {
    container.classList.remove('meeting-page--dark')
    container.replaceChildren(prejoinView({ room, user, signal: nextStage(), onJoin: showMeeting }))
  }

  const showEnd = (reason: EndReason, limit?: number) => {
    if (user && (reason === 'deleted' || reason === 'shutdown')) {
      setFlash(t(reason === 'deleted' ? 'ended.flashDeleted' : 'ended.flashShutdown', { title: room.title }))
      navigate('/rooms', { replace: true })
      return
    }
    container.classList.remove('meeting-page--dark')
    nextStage()
    container.replaceChildren(endView(reason, room.title, user, showLobby, limit))
  }

  const showMeeting = (choice: JoinChoice) => {
    const meeting = new Meeting({ roomId: room.id, ...choice })
    const signal = nextStage()
    meeting.on('ended', (reason, limit) => {
      if (!signal.aborted) showEnd(reason, limit)
    })
    // Closing the tab should free the seat at once rather than after the server's ping timeout.
    const onPageHide = () => void meeting.leave()
    window.addEventListener('pagehide', onPageHide)
    signal.addEventListener('abort', () => window.removeEventListener('pagehide', onPageHide))
    container.classList.add('meeting-page--dark')
    container.replaceChildren(roomView(meeting, { title: room.title, inviteUrl: `${location.origin}/r/${encodeURIComponent(room.id)}`, signal }))
    meeting.start()
  }

  showLobby()
  return container
}
