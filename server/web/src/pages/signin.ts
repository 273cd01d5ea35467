// Sign-in for employees; guests never need it (they join by link).
import { api } from '../api.ts'
import { formValues, h } from '../dom.ts'
import { t } from '../i18n/index.ts'
import { navigate, type PageContext } from '../router.ts'
import { setCurrentUser } from '../session.ts'
import { authLayout } from '../ui/auth-layout.ts'
import { caNote } from '../ui/ca-note.ts'
import { errorText } from '../ui/error-text.ts'
import { field, formError, setError, submitting } from '../ui/form.ts'

/** safeNext keeps only same-site paths, so a crafted link cannot send the user elsewhere after sign-in. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/rooms'
}

/** signinPage renders the sign-in form; on success it goes to ?next= or /rooms. */
export function signinPage(ctx: PageContext): HTMLElement {
  document.title = `${t('signin.title')} · Veche`
  const error = formError()
  const form = h('form', { id: 'signin-form', class: 'form', novalidate: true }, [
    field(t('field.email'), h('input', { name: 'email', type: 'email', autocomplete: 'username', required: true, autofocus: true })),
    field(t('field.password'), h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    error,
    h('button', { type: 'submit', class: 'btn btn--primary btn--block' }, t('signin.submit')),
  ])

  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const { email = '', password = '' } = formValues(form)
    if (!email || !password) return setError(error, t('form.fillAll'))
    setError(error, null)
    try {
      const { user } = await submitting(form, () => api.signIn({ email, password }))
      setCurrentUser(user)
      navigate(safeNext(ctx.query.get('next')), { replace: true })
    } catch (failure) {
      setError(error, errorText(failure))
      form.querySelector<HTMLInputElement>('input[name=password]')?.select()
    }
  })

  return authLayout(
    [h('h1', {}, t('signin.title')), form, h('p', { class: 'muted small' }, t('signin.guestHint'))],
    [caNote()],
  )
}
