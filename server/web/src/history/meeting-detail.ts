// One meeting from the history: when it ran, each participant's stay (employee or guest, browser,
// system, address, proxy, connection quality) and the chat.
import type { MeetingChatLine, MeetingRecord, MeetingStay } from '../api.ts'
import { h, type Child } from '../dom.ts'
import { formatDate, formatTime, t } from '../i18n/index.ts'
import { dataRow, dataTable, type Column } from './data-table.ts'
import { durationText, timeSince } from './format.ts'

function nameCell(p: MeetingStay): Child[] {
  const guest = p.kind === 'guest'
  return [
    h('span', { class: 'history-name' }, p.displayName),
    ' ',
    h('span', { class: guest ? 'badge badge--guest' : 'badge', 'data-testid': 'stay-kind' }, t(guest ? 'history.kind.guest' : 'history.kind.internal')),
  ]
}

function addressCell(p: MeetingStay): Child[] {
  if (!p.address) return [t('history.unknown')]
  const parts: Child[] = [h('span', { class: 'history-address' }, p.address)]
  if (p.viaProxy) {
    parts.push(
      ' ',
      h('span', { class: 'badge badge--admin', title: t('history.viaProxyTitle', { value: p.forwardedFor ?? '' }), 'data-testid': 'stay-proxy' }, t('history.viaProxy')),
    )
    // The whole chain only says more than the address when a client or another proxy added to it.
    if (p.forwardedFor && p.forwardedFor !== p.address) parts.push(h('small', { class: 'muted history-forwarded' }, `X-Forwarded-For: ${p.forwardedFor}`))
  }
  return parts
}

/** A short span: seconds under a minute, else as other durations. */
const spanText = (ms: number): string => (ms < 60_000 ? t('history.quality.seconds', { s: Math.max(1, Math.round(ms / 1000)) }) : durationText(ms))

const LEVELS = ['good', 'fair', 'poor'] as const

/**
 * qualityCell: a bar of the stay's time at each level as the browser rated it, the levels that
 * occurred in words, and the server's limits on the video it received.
 */
function qualityCell(p: MeetingStay): Child[] {
  const q = p.quality
  if (!q) return [t('history.unknown')]
  const parts: Child[] = []
  const ms = { good: q.goodMs ?? 0, fair: q.fairMs ?? 0, poor: q.poorMs ?? 0 }
  const total = ms.good + ms.fair + ms.poor
  if (total > 0) {
    const pct = (level: (typeof LEVELS)[number]): string => {
      const share = (ms[level] * 100) / total
      return share > 0 && share < 1 ? '<1' : String(Math.round(share))
    }
    const title = t('history.quality.title', { good: `${pct('good')}%`, fair: `${pct('fair')}%`, poor: `${pct('poor')}%` })
    parts.push(
      h(
        'span',
        { class: 'history-quality__bar', role: 'img', 'aria-label': title, title, 'data-testid': 'stay-quality-bar' },
        LEVELS.filter((l) => ms[l] > 0).map((l) => h('i', { class: `history-quality__${l}`, style: `flex-grow: ${ms[l]}` })),
      ),
      h(
        'span',
        { class: 'history-quality__levels', 'data-testid': 'stay-quality', 'data-worst': q.worst ?? '' },
        LEVELS.filter((l) => ms[l] > 0).flatMap((l, i) => [i > 0 ? ' · ' : '', h('span', { class: 'history-quality__level' }, t(`history.quality.${l}`, { pct: pct(l) }))]),
      ),
    )
  } else {
    parts.push(h('span', { class: 'muted', 'data-testid': 'stay-quality' }, t('history.quality.notReported')))
  }
  const limits: string[] = []
  if (q.videoLoweredMs > 0) limits.push(t('history.quality.lowered', { time: spanText(q.videoLoweredMs) }))
  if (q.audioOnlyMs > 0) limits.push(t('history.quality.audioOnly', { time: spanText(q.audioOnlyMs) }))
  if (limits.length > 0) {
    parts.push(h('small', { class: 'muted history-quality__limits', title: t('history.quality.limitsTitle'), 'data-testid': 'stay-limits' }, limits.join(' · ')))
  }
  return [h('span', { class: 'history-quality' }, parts)]
}

function participantsTable(meeting: MeetingRecord, stays: MeetingStay[]): HTMLElement {
  const columns: Column[] = [
    { label: t('history.col.name') },
    { label: t('history.col.joined'), nowrap: true },
    { label: t('history.col.left'), nowrap: true },
    { label: t('history.col.duration'), numeric: true, nowrap: true },
    { label: t('history.col.browser'), nowrap: true },
    { label: t('history.col.os'), nowrap: true },
    { label: t('history.col.address') },
    { label: t('history.col.quality') },
  ]
  const rows = stays.map((p) =>
    dataRow(
      columns,
      [
        nameCell(p),
        timeSince(p.joinedAt, meeting.startedAt),
        p.leftAt === null ? h('span', { class: 'badge badge--live' }, t('history.stillIn')) : timeSince(p.leftAt, meeting.startedAt),
        durationText(p.durationMs),
        h('span', { title: p.userAgent ?? null }, p.browser ?? t('history.unknown')),
        p.os ?? t('history.unknown'),
        addressCell(p),
        qualityCell(p),
      ],
      { 'data-testid': 'stay-row' },
    ),
  )
  return dataTable(columns, rows, 'stays-table').wrap
}

function chatList(meeting: MeetingRecord, chat: MeetingChatLine[]): HTMLElement {
  if (chat.length === 0) return h('p', { class: 'empty', 'data-testid': 'chat-empty' }, t('history.detail.noChat'))
  return h(
    'ol',
    { class: 'history-chat', 'data-testid': 'chat-list' },
    chat.map((line) =>
      h('li', { class: 'history-chat__line' }, [
        h('time', { class: 'history-chat__time muted', datetime: new Date(line.sentAt).toISOString() }, timeSince(line.sentAt, meeting.startedAt)),
        h('span', { class: 'history-chat__sender' }, line.senderName),
        h('span', { class: 'history-chat__text' }, line.text),
      ]),
    ),
  )
}

/** meetingDetail renders the meeting's heading, participants and chat. */
export function meetingDetail(meeting: MeetingRecord, stays: MeetingStay[], chat: MeetingChatLine[]): Node[] {
  const end = meeting.endedAt === null ? null : timeSince(meeting.endedAt, meeting.startedAt)
  return [
    h('div', { class: 'page-head' }, [
      h('a', { href: '/meetings', 'data-nav': true, class: 'history-back' }, `← ${t('history.detail.back')}`),
      h('h1', { 'data-testid': 'meeting-title' }, meeting.roomTitle),
      h('p', { class: 'history-meta' }, [
        h('span', {}, `${formatDate(meeting.startedAt)}, ${formatTime(meeting.startedAt)}${end ? `–${end}` : ''}`),
        h('span', {}, durationText(meeting.durationMs)),
        h('span', {}, t('history.participants', { count: meeting.participants })),
        meeting.endedAt === null ? h('span', { class: 'badge badge--live' }, t('history.live')) : null,
      ]),
    ]),
    h('section', { class: 'history-section' }, [h('h2', {}, t('history.detail.people')), participantsTable(meeting, stays)]),
    h('section', { class: 'history-section' }, [h('h2', {}, t('history.detail.chat')), chatList(meeting, chat)]),
  ]
}

