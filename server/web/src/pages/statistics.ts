// The owner's usage statistics: per UTC day meetings, participant-minutes and peak load, against the
// license's limits.
import { ApiError, historyApi, type UsageDay, type UsageStatistics } from '../api.ts'
import { h } from '../dom.ts'
import { t } from '../i18n/index.ts'
import type { PageContext } from '../router.ts'
import { currentUserOrNull } from '../session.ts'
import { appShell } from '../ui/app-shell.ts'
import { errorText } from '../ui/error-text.ts'
import { dataRow, dataTable, type Column } from '../history/data-table.ts'
import { isInputDate, numberText, utcDayText } from '../history/format.ts'
import { rangeForm, type DateRange } from '../history/range-form.ts'
import { usageChart } from '../history/usage-chart.ts'
import { usageSummary } from '../history/usage-summary.ts'

/** utcDaysAgo: the UTC date `days` before today (statistics are per UTC day). */
const utcDaysAgo = (days: number): string => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10)

function chosenRange(query: URLSearchParams): DateRange {
  const from = query.get('from')
  const to = query.get('to')
  return { from: isInputDate(from) ? from : utcDaysAgo(29), to: isInputDate(to) ? to : utcDaysAgo(0) }
}

/** peakCell: the peak, with "/ limit" and a mark when it reached the limit. */
function peakCell(value: number, limit: number | undefined): Node {
  if (limit === undefined) return document.createTextNode(numberText(value))
  const reached = value >= limit
  return h('span', { class: reached ? 'at-limit' : null, title: reached ? t('history.stats.atLimit') : null }, [
    numberText(value),
    h('span', { class: 'muted' }, ` / ${numberText(limit)}`),
  ])
}

function dayTable(stats: UsageStatistics): HTMLElement {
  const columns: Column[] = [
    { label: t('history.stats.col.day'), nowrap: true },
    { label: t('history.stats.col.meetings'), numeric: true },
    { label: t('history.stats.col.minutes'), numeric: true },
    { label: t('history.stats.col.peakRooms'), numeric: true },
    { label: t('history.stats.col.peakPeople'), numeric: true },
    { label: t('history.stats.col.largest'), numeric: true },
  ]
  // Newest first: the recent days are what an owner checks.
  const rows = [...stats.days].reverse().map((d: UsageDay) =>
    dataRow(
      columns,
      [
        utcDayText(d.day, true),
        numberText(d.meetings),
        numberText(d.participantMinutes),
        peakCell(d.peakRooms, stats.limits?.rooms),
        numberText(d.peakParticipants),
        peakCell(d.peakMeetingParticipants, stats.limits?.participantsPerRoom),
      ],
      { 'data-testid': 'day-row', 'data-day': d.day },
    ),
  )
  return dataTable(columns, rows, 'days-table').wrap
}

/** statisticsPage shows the chosen period (by default the last 30 UTC days). */
export async function statisticsPage(ctx: PageContext): Promise<HTMLElement> {
  document.title = `${t('history.stats.title')} · Veche`
  const user = await currentUserOrNull(ctx.signal)
  if (!user) throw new ApiError('unauthenticated', 401, 'signed out')
  const range = chosenRange(ctx.query)
  const head = h('div', { class: 'page-head' }, [h('h1', {}, t('history.stats.title')), h('p', { class: 'muted' }, t('history.stats.intro'))])
  const filter = h('div', { class: 'card history-filter' }, rangeForm('/statistics', range))
  let stats: UsageStatistics
  try {
    stats = await historyApi.statistics(range, ctx.signal)
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 'bad_range') throw error
    return appShell(user, 'statistics', [head, filter, h('p', { class: 'form-error', role: 'alert', 'data-testid': 'range-error' }, errorText(error))])
  }
  const idle = stats.totals.meetings === 0 && stats.totals.participantMinutes === 0
  const unlicensed = stats.limits ? [] : [h('p', { class: 'notice', 'data-testid': 'stats-no-license' }, t('history.stats.noLicense'))]
  return appShell(user, 'statistics', [
    head,
    filter,
    ...unlicensed,
    usageSummary(stats),
    idle ? h('p', { class: 'empty', 'data-testid': 'stats-empty' }, t('history.stats.empty')) : usageChart(stats.days),
    dayTable(stats),
  ])
}
