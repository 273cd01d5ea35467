// A modal question for account actions that deserve a second look (block, new password, delete).
import { ApiError } from '../api.ts'
import { h, type Child } from '../dom.ts'
import { t } from '../i18n/index.ts'
import { signInAgain } from '../router.ts'
import { errorText } from '../ui/error-text.ts'
import { formError, setError, submitting } from '../ui/form.ts'

export interface ConfirmOptions {
  title: string
  body: string
  /** More content between the text and the buttons, e.g. a field. */
  content?: Child[]
  confirmLabel: string
  danger?: boolean
  testId: string
  /** Runs on confirm; the dialog closes when it resolves, and shows the error when it throws. */
  onConfirm: (form: HTMLFormElement) => Promise<void>
}

/** confirmDialog opens a modal dialog; it removes itself from the page when closed. */
export function confirmDialog(options: ConfirmOptions): HTMLDialogElement {
  const error = formError()
  const confirm = h(
    'button',
    { type: 'submit', class: `btn ${options.danger ? 'btn--destructive' : 'btn--primary'}`, 'data-testid': 'dialog-confirm' },
    options.confirmLabel,
  )
  const cancel = h('button', { type: 'button', class: 'btn', 'data-testid': 'dialog-cancel' }, t('admin.cancel'))
  const titleId = `dialog-${Math.random().toString(36).slice(2, 8)}`
  const form = h('form', { class: 'admin-dialog__form', novalidate: true }, [
    h('h2', { id: titleId }, options.title),
    h('p', { class: 'muted' }, options.body),
    ...(options.content ?? []),
    error,
    h('div', { class: 'admin-dialog__actions' }, [cancel, confirm]),
  ])
  const dialog = h('dialog', { class: 'admin-dialog', 'data-testid': options.testId, 'aria-labelledby': titleId }, [form])
  cancel.addEventListener('click', () => dialog.close())
  dialog.addEventListener('close', () => dialog.remove())
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    setError(error, null)
    try {
      await submitting(form, () => options.onConfirm(form))
      dialog.close()
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 401) {
        dialog.close()
        return signInAgain()
      }
      setError(error, failure instanceof DialogInputError ? failure.message : errorText(failure))
    }
  })
  document.body.append(dialog)
  dialog.showModal()
  return dialog
}

/** DialogInputError: onConfirm found the input wrong; its message (already translated) is shown as is. */
export class DialogInputError extends Error {
  override name = 'DialogInputError'
}
