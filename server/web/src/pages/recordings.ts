// The recordings page: who recorded what and when, how long and how big; play, download, read the
// chat, delete. The server lists only what this user may see.
import { api, ApiError, type RecordingSummary } from '../api.ts'
import { h, setChildren } from '../dom.ts'
import { currentLang, formatDate, formatTime, t } from '../i18n/index.ts'
import { icon } from '../icons.ts'
import { signInAgain, type PageContext } from '../router.ts'
import { currentUserOrNull } from '../session.ts'
import { appShell } from '../ui/app-shell.ts'
import { errorText } from '../ui/error-text.ts'
import { setError } from '../ui/form.ts'

// A recording in progress grows; a light poll keeps its row honest.
const refreshEveryMs = 15_000

function duration(ms: number | null): string {
  if (ms === null) return '—'
  const s = Math.round(ms / 1000)
  const pad = (n: number): string => String(n).padStart(2, '0')
  return s >= 3600 ? `${Math.floor(s / 3600)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}` : `${Math.floor(s / 60)}:${pad(s % 60)}`
}

function size(bytes: number | null): string {
  if (bytes === null) return '—'
  const mb = new Intl.NumberFormat(currentLang(), { maximumFractionDigits: bytes < 10 * 1024 * 1024 ? 1 : 0 }).format(bytes / (1024 * 1024))
  return t('recordings.sizeMb', { size: mb })
}

function statusBadge(r: RecordingSummary): HTMLElement {
  const cls = r.status === 'ready' ? 'badge' : r.status === 'recording' ? 'badge badge--live' : 'badge badge--warn'
  return h('span', { class: cls, 'data-testid': 'recording-status', 'data-status': r.status, title: r.error?.message ?? null }, t(`recordings.status.${r.status}`))
}

function recordingItem(r: RecordingSummary, onDeleted: () => void, showError: (message: string) => void): HTMLElement {
  const player = h('div', { class: 'recording__player', hidden: true })
  const playable = r.status !== 'failed' && r.durationMs !== null
  const play = h('button', { type: 'button', class: 'btn btn--small btn--primary', 'data-testid': 'recording-play', disabled: !playable }, [icon('play'), h('span', {}, t('recordings.play'))])
  play.addEventListener('click', () => {
    if (!player.hidden) {
      player.replaceChildren()
      player.hidden = true
      play.lastElementChild!.textContent = t('recordings.play')
      return
    }
    const video = h('video', { controls: true, preload: 'metadata', src: r.fileUrl, class: 'recording__video', 'data-testid': 'recording-video' })
    player.replaceChildren(video)
    player.hidden = false
    play.lastElementChild!.textContent = t('recordings.hide')
    void video.play().catch(() => undefined)
  })
  const download = h('a', { class: 'btn btn--small', href: `${r.fileUrl}?download=1`, download: '', 'data-testid': 'recording-download', hidden: !playable }, [icon('download'), h('span', {}, t('recordings.download'))])
  const chat = h('a', { class: 'btn btn--small', href: r.chatUrl, download: '', 'data-testid': 'recording-chat' }, [icon('chat'), h('span', {}, t('recordings.chat'))])
  const remove = h(
    'button',
    { type: 'button', class: 'btn btn--ghost btn--small btn--danger', 'data-testid': 'recording-delete', 'aria-label': t('recordings.deleteLabel', { title: r.roomTitle }), title: t('recordings.delete'), hidden: r.status === 'recording' },
    [icon('trash')],
  )
  remove.addEventListener('click', async () => {
    if (!window.confirm(t('recordings.confirmDelete', { title: r.roomTitle, date: `${formatDate(r.startedAt)} ${formatTime(r.startedAt)}` }))) return
    remove.disabled = true
    try {
      await api.deleteRecording(r.id)
      onDeleted()
    } catch (error) {
      remove.disabled = false
      if (error instanceof ApiError && error.status === 401) signInAgain()
      else showError(errorText(error))
    }
  })
  return h('li', { class: 'room-card recording', 'data-testid': 'recording-item', 'data-recording-id': r.id }, [
    h('div', { class: 'room-card__info' }, [
      h('h3', { class: 'room-card__title' }, r.roomTitle),
      h('div', { class: 'room-card__meta' }, [
        h('span', { class: 'muted' }, `${formatDate(r.startedAt)} ${formatTime(r.startedAt)}`),
        h('span', { class: 'muted' }, t('recordings.by', { name: r.startedBy })),
        h('span', { class: 'muted', 'data-testid': 'recording-duration' }, duration(r.durationMs)),
        h('span', { class: 'muted', 'data-testid': 'recording-size' }, size(r.sizeBytes)),
        statusBadge(r),
      ]),
      player,
    ]),
    h('div', { class: 'room-card__actions' }, [play, download, chat, remove]),
  ])
}

/** recordingsPage lists the recordings this user may see. */
export async function recordingsPage(ctx: PageContext): Promise<HTMLElement> {
  document.title = `${t('recordings.title')} · Veche`
  const user = await currentUserOrNull(ctx.signal)
  if (!user) throw new ApiError('unauthenticated', 401, 'signed out')
  const head = h('div', { class: 'page-head' }, [h('h1', {}, t('recordings.title')), h('p', { class: 'muted' }, t('recordings.intro'))])
  let recordings: RecordingSummary[]
  try {
    recordings = (await api.listRecordings(ctx.signal)).recordings
  } catch (error) {
    if (error instanceof ApiError && (error.code === 'feature_unlicensed' || error.code === 'license_required')) {
      return appShell(user, 'recordings', [head, h('p', { class: 'notice', 'data-testid': 'recordings-unlicensed' }, t('recordings.unlicensed'))])
    }
    throw error
  }
  const listError = h('p', { class: 'form-error', role: 'alert', hidden: true })
  const list = h('ul', { class: 'rooms', 'data-testid': 'recording-list' })
  const render = (): void => {
    setChildren(
      list,
      recordings.length === 0
        ? h('li', { class: 'empty', 'data-testid': 'recordings-empty' }, t('recordings.none'))
        : recordings.map((r) =>
            recordingItem(
              r,
              () => {
                recordings = recordings.filter((other) => other.id !== r.id)
                render()
              },
              (message) => setError(listError, message),
            ),
          ),
    )
  }
  render()
  const timer = setInterval(async () => {
    // A playing video or a pending confirm would be lost in a re-render.
    if (document.hidden || list.querySelector('video') || list.contains(document.activeElement)) return
    try {
      const fresh = (await api.listRecordings(ctx.signal)).recordings
      if (JSON.stringify(fresh) === JSON.stringify(recordings)) return
      recordings = fresh
      render()
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) signInAgain()
    }
  }, refreshEveryMs)
  ctx.signal.addEventListener('abort', () => clearInterval(timer))
  return appShell(user, 'recordings', [head, listError, list])
}
