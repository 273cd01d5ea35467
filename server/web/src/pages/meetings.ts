// The owner's meeting history: meetings of a period with exports, and one meeting's participants and chat.
import { ApiError, historyApi, type HistoryRange, type MeetingRecord } from '../api.ts'
import { h } from '../dom.ts'
import { t } from '../i18n/index.ts'
import { signInAgain, type PageContext } from '../router.ts'
import { currentUserOrNull } from '../session.ts'
import { appShell } from '../ui/app-shell.ts'
import { errorText } from '../ui/error-text.ts'
import { setError } from '../ui/form.ts'
import { dataRow, dataTable, type Column } from '../history/data-table.ts'
import { dateTimeText, daysAgo, durationText, isInputDate, localDayStart, numberText } from '../history/format.ts'
import { meetingDetail } from '../history/meeting-detail.ts'
import { rangeForm, type DateRange } from '../history/range-form.ts'

const PAGE_SIZE = 50

/** The period in the address, or the last 30 days. */
function chosenRange(query: URLSearchParams): DateRange {
  const from = query.get('from')
  const to = query.get('to')
  return { from: isInputDate(from) ? from : daysAgo(29), to: isInputDate(to) ? to : daysAgo(0) }
}

/** apiRange: the browser's local days as instants (the server's dates are UTC days). */
const apiRange = (range: DateRange): HistoryRange => ({ from: localDayStart(range.from), to: localDayStart(range.to, 1) })

async function requireUser(ctx: PageContext) {
  const user = await currentUserOrNull(ctx.signal)
  if (!user) throw new ApiError('unauthenticated', 401, 'signed out')
  return user
}

function meetingRows(columns: Column[], meetings: MeetingRecord[]): HTMLTableRowElement[] {
  return meetings.map((m) =>
    dataRow(
      columns,
      [
        h('a', { href: `/meetings/${m.id}`, 'data-nav': true, class: 'history-room' }, m.roomTitle),
        dateTimeText(m.startedAt),
        m.endedAt === null ? h('span', { class: 'badge badge--live' }, t('history.live')) : durationText(m.durationMs),
        numberText(m.participants),
      ],
      { 'data-testid': 'meeting-row', 'data-meeting-id': String(m.id) },
    ),
  )
}

/** meetingsPage lists the meetings of the chosen period, newest first, with CSV and JSON exports of it. */
export async function meetingsPage(ctx: PageContext): Promise<HTMLElement> {
  document.title = `${t('history.meetings.title')} · Veche`
  const user = await requireUser(ctx)
  const range = chosenRange(ctx.query)
  const first = await historyApi.listMeetings({ ...apiRange(range), limit: PAGE_SIZE }, ctx.signal)

  // An export covers at most 366 days (the server refuses more): offer none for a longer period.
  const exportable = Date.parse(range.to) - Date.parse(range.from) < 366 * 86_400_000
  const exports = h('div', { class: 'range-form__exports', hidden: !exportable }, [
    h('a', { class: 'btn', href: historyApi.exportUrl('csv', apiRange(range)), download: '', 'data-testid': 'export-csv' }, t('history.export.csv')),
    h('a', { class: 'btn', href: historyApi.exportUrl('json', apiRange(range)), download: '', 'data-testid': 'export-json' }, t('history.export.json')),
  ])
  const filter = h('div', { class: 'card history-filter' }, [
    rangeForm('/meetings', range, [exports]),
    h('p', { class: 'muted small' }, t('history.export.hint')),
  ])

  const columns: Column[] = [
    { label: t('history.col.meeting') },
    { label: t('history.col.started'), nowrap: true },
    { label: t('history.col.duration'), nowrap: true },
    { label: t('history.col.participants'), numeric: true },
  ]
  const head = h('div', { class: 'page-head' }, [
    h('h1', {}, t('history.meetings.title')),
    h('p', { class: 'muted' }, `${t('history.meetings.intro')} ${t('history.meetings.kept', { count: first.retentionDays })}`),
  ])
  if (first.meetings.length === 0) {
    return appShell(user, 'meetings', [head, filter, h('p', { class: 'empty', 'data-testid': 'meetings-empty' }, t('history.meetings.none'))])
  }

  const { wrap, body } = dataTable(columns, meetingRows(columns, first.meetings), 'meetings-table')
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true })
  const more = h('button', { type: 'button', class: 'btn', 'data-testid': 'meetings-more', hidden: first.next === null }, t('history.meetings.more'))
  let next = first.next
  more.addEventListener('click', async () => {
    if (next === null) return
    more.disabled = true
    setError(error, null)
    try {
      const page = await historyApi.listMeetings({ ...apiRange(range), before: next, limit: PAGE_SIZE }, ctx.signal)
      body.append(...meetingRows(columns, page.meetings))
      next = page.next
      more.hidden = next === null
    } catch (failure) {
      if (ctx.signal.aborted) return
      if (failure instanceof ApiError && failure.status === 401) return signInAgain()
      setError(error, errorText(failure))
    } finally {
      more.disabled = false
    }
  })
  return appShell(user, 'meetings', [head, filter, wrap, error, h('div', { class: 'history-more' }, more)])
}

/** meetingDetailPage shows one meeting: its participants' stays and its chat. */
export async function meetingDetailPage(ctx: PageContext): Promise<HTMLElement> {
  document.title = `${t('history.meetings.title')} · Veche`
  const user = await requireUser(ctx)
  const id = ctx.params.id ?? ''
  try {
    const { meeting, participants, chat } = await historyApi.getMeeting(id, ctx.signal)
    document.title = `${meeting.roomTitle} · ${t('history.meetings.title')} · Veche`
    return appShell(user, 'meetings', meetingDetail(meeting, participants, chat))
  } catch (error) {
    if (!(error instanceof ApiError) || (error.code !== 'not_found' && error.code !== 'bad_request')) throw error
    return appShell(user, 'meetings', [
      h('a', { href: '/meetings', 'data-nav': true, class: 'history-back' }, `← ${t('history.detail.back')}`),
      h('p', { class: 'empty', 'data-testid': 'meeting-missing' }, t('history.detail.notFound')),
    ])
  }
}
