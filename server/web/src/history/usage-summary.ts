// The statistics page's headline figures: totals of the period, and its peaks beside the license's
// limits, each with a meter that turns red when the limit was reached.
import type { UsageStatistics } from '../api.ts'
import { h } from '../dom.ts'
import { t } from '../i18n/index.ts'
import { numberText } from './format.ts'

function meter(value: number, limit: number): HTMLElement {
  const full = value >= limit
  return h('div', { class: full ? 'meter meter--full' : 'meter', 'aria-hidden': 'true' }, [
    h('div', { class: 'meter__fill', style: `width: ${Math.min(100, (value / limit) * 100)}%` }),
  ])
}

function figure(label: string, value: string, note: string | null, gauge: HTMLElement | null, testid: string): HTMLElement {
  return h('div', { class: 'card stat', 'data-testid': testid }, [
    h('div', { class: 'stat__label muted' }, label),
    h('div', { class: 'stat__value' }, value),
    gauge,
    note ? h('div', { class: 'stat__note muted small' }, note) : null,
  ])
}

/** usageSummary: meetings, participant-hours, and the three peaks against the license. */
export function usageSummary(stats: UsageStatistics): HTMLElement {
  const { totals, limits } = stats
  return h('div', { class: 'stats' }, [
    figure(t('history.stats.meetings'), numberText(totals.meetings), null, null, 'stat-meetings'),
    figure(t('history.stats.hours'), numberText(totals.participantMinutes / 60, 1), null, null, 'stat-hours'),
    figure(
      t('history.stats.peakRooms'),
      numberText(totals.peakRooms),
      limits ? t('history.stats.ofRooms', { limit: numberText(limits.rooms) }) : null,
      limits ? meter(totals.peakRooms, limits.rooms) : null,
      'stat-peak-rooms',
    ),
    figure(
      t('history.stats.largest'),
      numberText(totals.peakMeetingParticipants),
      limits ? t('history.stats.ofPerMeeting', { limit: numberText(limits.participantsPerRoom) }) : null,
      limits ? meter(totals.peakMeetingParticipants, limits.participantsPerRoom) : null,
      'stat-largest',
    ),
    figure(t('history.stats.peakPeople'), numberText(totals.peakParticipants), t('history.stats.ofCapacity'), null, 'stat-peak-people'),
  ])
}
