// The period picker of the history pages: two dates and a Show button. The chosen period goes into
// the address (?from=&to=), so reloading or going back keeps it.
import { h } from '../dom.ts'
import { t } from '../i18n/index.ts'
import { navigate } from '../router.ts'
import { field, formError, setError } from '../ui/form.ts'

export interface DateRange {
  /** 'YYYY-MM-DD', the first day included. */
  from: string
  /** 'YYYY-MM-DD', the last day included. */
  to: string
}

/** rangeForm shows `range`; submitting opens `path` with the new period. */
export function rangeForm(path: string, range: DateRange, extra: Node[] = []): HTMLElement {
  const from = h('input', { name: 'from', type: 'date', required: true, value: range.from, 'data-testid': 'range-from' })
  const to = h('input', { name: 'to', type: 'date', required: true, value: range.to, 'data-testid': 'range-to' })
  const error = formError()
  const form = h('form', { class: 'range-form', 'aria-label': t('history.range.label') }, [
    field(t('history.range.from'), from),
    field(t('history.range.to'), to),
    h('button', { type: 'submit', class: 'btn btn--primary', 'data-testid': 'range-show' }, t('history.range.show')),
    ...extra,
    error,
  ])
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    if (from.value > to.value) return setError(error, t('history.range.backwards'))
    navigate(`${path}?from=${from.value}&to=${to.value}`)
  })
  return form
}
