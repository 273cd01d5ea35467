// One meeting from the history: when it ran, each participant's stay (employee or guest, browser,
// system, address, proxy) and the chat.
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

function participantsTable(meeting: MeetingRecord, stays: MeetingStay[]): HTMLElement {
  const columns: Column[] = [
    { label: t('history.col.name') },
    { label: t('history.col.joined'), nowrap: true },
    { label: t('history.col.left'), nowrap: true },
    { label: t('history.col.duration'), numeric: true, nowrap: true },
    { label: t('history.col.browser'), nowrap: true },
    { label: t('history.col.os'), nowrap: true },
    { label: t('history.col.address') },
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

