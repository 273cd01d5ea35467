// The owner's audit log: who did what to which account, newest first, a page at a time.
import { adminApi, ApiError, type AuditEntry } from '../api.ts'
import { actionText, actorText } from '../admin/audit-text.ts'
import { h } from '../dom.ts'
import { formatDate, formatTime, t } from '../i18n/index.ts'
import { signInAgain, type PageContext } from '../router.ts'
import { currentUserOrNull } from '../session.ts'
import { appShell } from '../ui/app-shell.ts'
import { errorText } from '../ui/error-text.ts'

const PAGE_SIZE = 50

function entryRow(entry: AuditEntry): HTMLElement {
  const when = new Date(entry.at)
  return h('tr', { 'data-testid': 'audit-entry', 'data-action': entry.action }, [
    h('td', { class: 'audit__when' }, h('time', { datetime: when.toISOString() }, `${formatDate(entry.at)} ${formatTime(entry.at)}`)),
    h('td', { class: 'audit__who' }, actorText(entry)),
    h('td', { class: 'audit__what' }, actionText(entry)),
  ])
}

/** auditPage shows the newest entries and loads older ones on request. */
export async function auditPage(ctx: PageContext): Promise<HTMLElement> {
  document.title = `${t('audit.title')} · Veche`
  const self = await currentUserOrNull(ctx.signal)
  if (!self) throw new ApiError('unauthenticated', 401, 'signed out')
  const first = await adminApi.audit({ limit: PAGE_SIZE }, ctx.signal)

  const body = h('tbody', {}, first.entries.map(entryRow))
  const table = h('table', { class: 'audit', 'data-testid': 'audit-table' }, [
    h('thead', {}, h('tr', {}, [
      h('th', { scope: 'col' }, t('audit.when')),
      h('th', { scope: 'col' }, t('audit.who')),
      h('th', { scope: 'col' }, t('audit.what')),
    ])),
    body,
  ])
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true })
  const end = h('p', { class: 'muted audit__end' }, t('audit.end'))
  const more = h('button', { type: 'button', class: 'btn', 'data-testid': 'audit-more' }, t('audit.loadMore'))
  let next = first.next
  const showEnd = () => {
    more.hidden = next === null
    end.hidden = next !== null || first.entries.length === 0
  }
  more.addEventListener('click', async () => {
    if (next === null) return
    more.disabled = true
    error.hidden = true
    try {
      const page = await adminApi.audit({ before: next, limit: PAGE_SIZE }, ctx.signal)
      body.append(...page.entries.map(entryRow))
      next = page.next
      showEnd()
    } catch (failure) {
      if (ctx.signal.aborted) return
      if (failure instanceof ApiError && failure.status === 401) return signInAgain()
      error.textContent = errorText(failure)
      error.hidden = false
    } finally {
      more.disabled = false
    }
  })
  showEnd()

  const content = first.entries.length === 0
    ? h('p', { class: 'empty', 'data-testid': 'audit-empty' }, t('audit.empty'))
    : h('div', { class: 'audit__wrap' }, [table, error, h('div', { class: 'audit__footer' }, [more, end])])

  return appShell(self, 'audit', [
    h('div', { class: 'page-head' }, [h('h1', {}, t('audit.title')), h('p', { class: 'muted' }, t('audit.intro'))]),
    content,
  ])
}
