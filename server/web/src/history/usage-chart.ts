// A bar per day of participant-minutes, drawn with CSS (no chart library in a closed network). The
// table below the chart holds the same numbers for screen readers, so the bars are hidden from them.
import type { UsageDay } from '../api.ts'
import { h } from '../dom.ts'
import { t } from '../i18n/index.ts'
import { numberText, utcDayText } from './format.ts'

/** usageChart: `days` oldest first, each bar's height relative to the busiest day. */
export function usageChart(days: UsageDay[]): HTMLElement {
  const max = Math.max(1, ...days.map((d) => d.participantMinutes))
  const bars = days.map((d) => {
    const label = t('history.stats.bar', { day: utcDayText(d.day, true), minutes: numberText(d.participantMinutes) })
    return h('div', { class: 'usage-chart__col', title: label }, [
      h('div', {
        class: d.participantMinutes > 0 ? 'usage-chart__bar' : 'usage-chart__bar usage-chart__bar--zero',
        style: `height: ${(d.participantMinutes / max) * 100}%`,
      }),
    ])
  })
  const first = days[0]
  const last = days.at(-1)
  return h('figure', { class: 'card usage-chart', 'data-testid': 'usage-chart' }, [
    h('figcaption', { class: 'usage-chart__caption' }, [
      h('span', {}, t('history.stats.chart')),
      h('span', { class: 'muted usage-chart__max' }, t('history.stats.chartMax', { minutes: numberText(max) })),
    ]),
    h('div', { class: 'usage-chart__bars', 'aria-hidden': 'true' }, bars),
    first && last
      ? h('div', { class: 'usage-chart__axis muted', 'aria-hidden': 'true' }, [h('span', {}, utcDayText(first.day)), h('span', {}, utcDayText(last.day))])
      : null,
  ])
}
