// First run: creates the owner account, which also signs the owner in.
import { api, ApiError } from '../api.ts'
import { formValues, h } from '../dom.ts'
import { t } from '../i18n/index.ts'
import { navigate } from '../router.ts'
import { markOwnerCreated, setCurrentUser } from '../session.ts'
import { authLayout } from '../ui/auth-layout.ts'
import { errorText } from '../ui/error-text.ts'
import { field, formError, looksLikeEmail, setError, submitting } from '../ui/form.ts'

export const minPasswordLength = 8

/** setupPage renders the owner form; on success it goes to /rooms. */
export function setupPage(): HTMLElement {
  document.title = `${t('setup.title')} · Veche`
  const error = formError()
  const form = h('form', { id: 'setup-form', class: 'form', novalidate: true }, [
    field(t('field.email'), h('input', { name: 'email', type: 'email', autocomplete: 'username', required: true, autofocus: true })),
    field(t('field.displayName'), h('input', { name: 'displayName', autocomplete: 'name', required: true, maxlength: 64 })),
    field(
      t('field.password'),
      h('input', { name: 'password', type: 'password', autocomplete: 'new-password', required: true }),
      t('field.passwordHint', { count: minPasswordLength }),
    ),
    error,
    h('button', { type: 'submit', class: 'btn btn--primary btn--block' }, t('setup.submit')),
  ])

  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const { email = '', displayName = '', password = '' } = formValues(form)
    if (!email || !displayName || !password) return setError(error, t('form.fillAll'))
    if (!looksLikeEmail(email)) return setError(error, t('error.invalid_email'))
    if (password.length < minPasswordLength) return setError(error, t('error.weak_password'))
    setError(error, null)
    try {
      const { user } = await submitting(form, () => api.createOwner({ email, displayName, password }))
      markOwnerCreated()
      setCurrentUser(user)
      navigate('/rooms', { replace: true })
    } catch (failure) {
      if (failure instanceof ApiError && failure.code === 'owner_exists') markOwnerCreated()
      setError(error, errorText(failure))
    }
  })

  return authLayout([
    h('h1', {}, t('setup.title')),
    h('p', { class: 'muted' }, t('setup.intro')),
    form,
  ])
}
