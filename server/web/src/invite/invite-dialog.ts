// The "Invite by e-mail" dialog of a room: recipients, an optional calendar event, a message, the
// e-mail's language, what is left of today's limits, and what happened to each address.
import { ApiError, invitationsApi, type InvitationBody, type InvitationResult, type InvitationUsage, type RoomSummary } from '../api.ts'
import { h, setChildren } from '../dom.ts'
import { currentLang, t } from '../i18n/index.ts'
import { signInAgain } from '../router.ts'
import { errorText } from '../ui/error-text.ts'
import { setError } from '../ui/form.ts'
import { readRecipients } from './recipients.ts'

const DURATIONS = [15, 30, 45, 60, 90, 120, 180]

const pad = (n: number) => String(n).padStart(2, '0')
const localDate = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`

/** The next full hour from now, as the date and time inputs want them. */
function nextHour(): { date: string; time: string } {
  const d = new Date()
  d.setHours(d.getHours() + 1, 0, 0, 0)
  return { date: localDate(d), time: `${pad(d.getHours())}:00` }
}

const formatMoment = (ms: number) => new Intl.DateTimeFormat(currentLang(), { dateStyle: 'medium', timeStyle: 'short' }).format(ms)

function leftOf(usage: InvitationUsage): { user: number; workspace: number } {
  return {
    user: Math.max(usage.user.limit - usage.user.sent, 0),
    workspace: Math.max(usage.workspace.limit - usage.workspace.sent, 0),
  }
}

/** quotaText tells the sender how many more people they may invite today, or from when. */
function quotaText(usage: InvitationUsage): string {
  const left = leftOf(usage)
  if (left.user === 0) return t('invitations.quotaUsedUp', { time: usage.user.freesAt ? formatMoment(usage.user.freesAt) : '—' })
  if (left.workspace === 0) return t('invitations.quotaWorkspaceUsedUp', { time: usage.workspace.freesAt ? formatMoment(usage.workspace.freesAt) : '—' })
  return left.workspace < left.user ? t('invitations.quotaWorkspace', { count: left.workspace }) : t('invitations.quota', { count: left.user })
}

/** openInviteDialog shows the dialog for `room` over the page; it removes itself when closed. */
export function openInviteDialog(room: RoomSummary): void {
  const uid = Math.random().toString(36).slice(2, 8)
  const id = (name: string) => `invite-${name}-${uid}`
  let usage: InvitationUsage | null = null

  const recipients = h('textarea', {
    id: id('recipients'),
    name: 'recipients',
    rows: 4,
    spellcheck: 'false',
    autocapitalize: 'off',
    placeholder: t('invitations.recipientsPlaceholder'),
    'aria-describedby': id('recipients-hint'),
    'data-testid': 'invite-recipients',
  })
  const hint = h('small', { class: 'field__hint', id: id('recipients-hint') })
  const count = h('small', { class: 'invite-dialog__count', 'aria-live': 'polite', 'data-testid': 'invite-count' })

  const calendar = h('input', { type: 'checkbox', id: id('calendar'), 'data-testid': 'invite-calendar' })
  const start = nextHour()
  const date = h('input', { type: 'date', id: id('date'), value: start.date, min: localDate(new Date()), 'data-testid': 'invite-date' })
  const time = h('input', { type: 'time', id: id('time'), value: start.time, step: 300, 'data-testid': 'invite-time' })
  const duration = h(
    'select',
    { id: id('duration'), 'data-testid': 'invite-duration' },
    DURATIONS.map((m) => h('option', { value: m, selected: m === 60 }, t('invitations.minutes', { count: m }))),
  )
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone
  const when = h('div', { class: 'invite-dialog__when', hidden: true }, [
    h('div', { class: 'field' }, [h('label', { for: id('date') }, t('invitations.date')), date]),
    h('div', { class: 'field' }, [h('label', { for: id('time') }, t('invitations.time')), time]),
    h('div', { class: 'field' }, [h('label', { for: id('duration') }, t('invitations.duration')), duration]),
    h('small', { class: 'field__hint invite-dialog__zone' }, t('invitations.timeZone', { zone: timeZone })),
  ])
  calendar.addEventListener('change', () => (when.hidden = !calendar.checked))

  const message = h('textarea', { id: id('message'), name: 'message', rows: 2, maxlength: 2000, placeholder: t('invitations.messagePlaceholder'), 'data-testid': 'invite-message' })
  const lang = h('select', { id: id('lang'), 'data-testid': 'invite-lang' }, [
    h('option', { value: 'en', selected: currentLang() === 'en' }, t('invitations.langEn')),
    h('option', { value: 'ru', selected: currentLang() === 'ru' }, t('invitations.langRu')),
  ])

  const quota = h('p', { class: 'invite-dialog__quota muted', 'data-testid': 'invite-quota' })
  const unavailable = h('p', { class: 'notice', hidden: true, 'data-testid': 'invite-unavailable' }, t('invitations.unavailable'))
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true, 'data-testid': 'invite-error' })
  const details = h('p', { class: 'invite-dialog__details muted', hidden: true, 'data-testid': 'invite-details' })
  const results = h('div', { class: 'invite-dialog__results', 'aria-live': 'polite', hidden: true, 'data-testid': 'invite-results' })

  const cancel = h('button', { type: 'button', class: 'btn' }, t('invitations.cancel'))
  const send = h('button', { type: 'submit', class: 'btn btn--primary', 'data-testid': 'invite-send' }, t('invitations.send'))
  const fields = h('div', { class: 'invite-dialog__fields' }, [
    h('div', { class: 'field' }, [h('label', { for: id('recipients') }, t('invitations.recipients')), recipients, hint, count]),
    h('label', { class: 'check', for: id('calendar') }, [calendar, ' ', t('invitations.calendar')]),
    when,
    h('div', { class: 'field' }, [h('label', { for: id('message') }, t('invitations.message')), message]),
    h('div', { class: 'field invite-dialog__lang' }, [h('label', { for: id('lang') }, t('invitations.lang')), lang]),
  ])
  const form = h('form', { class: 'invite-dialog__form', novalidate: true }, [
    h('h2', {}, t('invitations.title')),
    h('p', { class: 'muted invite-dialog__room' }, t('invitations.to', { title: room.title })),
    unavailable,
    fields,
    quota,
    error,
    details,
    results,
    h('div', { class: 'invite-dialog__actions' }, [cancel, send]),
  ])
  const root = h('dialog', { class: 'invite-dialog', 'aria-label': t('invitations.title'), 'data-testid': 'invite-dialog' }, [form])

  const showUsage = (fresh: InvitationUsage) => {
    usage = fresh
    hint.textContent = t('invitations.recipientsHint', { max: fresh.maxRecipients })
    quota.textContent = quotaText(fresh)
  }
  const showProblem = (text: string | null, serverSaid: string | null = null) => {
    setError(error, text)
    details.textContent = serverSaid ? t('invitations.details', { message: serverSaid }) : ''
    details.hidden = serverSaid === null
    // The form may be scrolled: what went wrong must not stay below the fold.
    if (text) (serverSaid ? details : error).scrollIntoView({ block: 'nearest' })
  }
  const refreshUsage = async () => {
    try {
      showUsage(await invitationsApi.usage())
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return signInAgain()
      if (err instanceof ApiError && err.code === 'mail_not_configured') {
        unavailable.hidden = false
        fields.hidden = true
        send.hidden = true
        quota.hidden = true
        cancel.textContent = t('invitations.close')
        return
      }
      // The limits are only advice here; the server still checks them when sending.
    }
  }

  const updateCount = () => {
    const list = readRecipients(recipients.value)
    const parts: string[] = []
    if (list.valid.length > 0) parts.push(t('invitations.count', { count: list.valid.length }))
    if (list.invalid.length > 0) parts.push(t('invitations.invalid', { count: list.invalid.length, list: list.invalid.join(', ') }))
    count.textContent = parts.join(' · ')
    count.classList.toggle('invite-dialog__count--bad', list.invalid.length > 0)
  }
  recipients.addEventListener('input', updateCount)

  const showResults = (result: InvitationResult) => {
    const notSent = result.results.filter((r) => r.status !== 'sent')
    const notSentItem = (r: InvitationResult['results'][number]) =>
      h('li', {}, [
        h('strong', {}, r.recipient),
        ` — ${t(r.status === 'refused' ? 'invitations.refused' : 'invitations.failed')}`,
        r.reason ? h('small', {}, r.reason) : null,
      ])
    setChildren(results, [
      h('p', { class: 'notice', 'data-testid': 'invite-sent' }, t('invitations.sent', { count: result.sent })),
      notSent.length > 0 ? h('p', {}, t('invitations.notSent', { count: notSent.length })) : null,
      notSent.length > 0 ? h('ul', { class: 'invite-dialog__failed' }, notSent.map(notSentItem)) : null,
    ])
    results.hidden = false
    results.scrollIntoView({ block: 'nearest' })
  }

  /** check returns the request body, or null after showing why the form cannot be sent yet. */
  const check = (): InvitationBody | null => {
    const list = readRecipients(recipients.value)
    if (list.invalid.length > 0) {
      showProblem(t('invitations.invalid', { count: list.invalid.length, list: list.invalid.join(', ') }))
      recipients.focus()
      return null
    }
    if (list.valid.length === 0) {
      showProblem(t('invitations.none'))
      recipients.focus()
      return null
    }
    if (usage) {
      if (list.valid.length > usage.maxRecipients) {
        showProblem(t('invitations.tooMany', { max: usage.maxRecipients, count: list.valid.length }))
        return null
      }
      const left = Math.min(leftOf(usage).user, leftOf(usage).workspace)
      if (list.valid.length > left) {
        showProblem(left === 0 ? quotaText(usage) : t('invitations.overQuota', { count: left }))
        return null
      }
    }
    const body: InvitationBody = { recipients: list.valid, lang: lang.value === 'ru' ? 'ru' : 'en', timeZone }
    if (message.value.trim()) body.message = message.value.trim()
    if (calendar.checked) {
      const startsAt = new Date(`${date.value}T${time.value}`)
      if (!date.value || !time.value || Number.isNaN(startsAt.getTime())) {
        showProblem(t('invitations.whenRequired'))
        return null
      }
      body.scheduledAt = startsAt.toISOString()
      body.durationMinutes = Number(duration.value)
    }
    return body
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    results.hidden = true
    showProblem(null)
    const body = check()
    if (!body) return
    send.disabled = true
    send.textContent = t('invitations.sending')
    form.setAttribute('aria-busy', 'true')
    try {
      const result = await invitationsApi.send(room.id, body)
      showResults(result)
      recipients.value = ''
      updateCount()
      cancel.textContent = t('invitations.close')
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return signInAgain()
      if (err instanceof ApiError && err.code === 'invitation_limit') {
        // Other invitations (another tab, colleagues) used the quota up since the dialog opened: say what is left now.
        await refreshUsage()
        const left = usage ? Math.min(leftOf(usage).user, leftOf(usage).workspace) : 0
        return showProblem(usage && left === 0 ? quotaText(usage) : left > 0 ? t('invitations.overQuota', { count: left }) : errorText(err))
      }
      const serverSaid = err instanceof ApiError && err.code === 'mail_failed' ? err.message : null
      showProblem(errorText(err), serverSaid)
    } finally {
      send.disabled = false
      send.textContent = t('invitations.send')
      form.removeAttribute('aria-busy')
      void refreshUsage()
    }
  })

  cancel.addEventListener('click', () => root.close())
  root.addEventListener('close', () => root.remove())
  document.body.append(root)
  root.showModal()
  recipients.focus()
  void refreshUsage()
}
