// Sign-in for employees; guests never need it (they join by link). Offers corporate sign-in (OpenID
// Connect) when the server has it, above the password form.
import { signInApi, api, isAbort, type AuthMethods } from '../api.ts'
import { formValues, h } from '../dom.ts'
import { hasMessage, t } from '../i18n/index.ts'
import { navigate, type PageContext } from '../router.ts'
import { setCurrentUser } from '../session.ts'
import { authLayout } from '../ui/auth-layout.ts'
import { caNote } from '../ui/ca-note.ts'
import { errorText } from '../ui/error-text.ts'
import { field, formError, setError, submitting } from '../ui/form.ts'

/** safeNext keeps only same-site paths, so a crafted link cannot send the user elsewhere after sign-in. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/rooms'
}

const PASSWORD_ONLY: AuthMethods = { login: 'email', oidc: null }

/** methodsOrDefault asks which sign-in methods exist; if the server cannot say, the password form still works. */
async function methodsOrDefault(signal: AbortSignal): Promise<AuthMethods> {
  try {
    return await signInApi.methods(signal)
  } catch (error) {
    if (isAbort(error)) throw error
    return PASSWORD_ONLY
  }
}

/** ssoErrorText explains the ?error= code corporate sign-in came back with. */
function ssoErrorText(code: string): string {
  const key = `sso.error.${code}`
  return hasMessage(key) ? t(key) : t('sso.error.sso_failed')
}

/** ssoBlock is the corporate sign-in button and the "or" divider before the password form. */
function ssoBlock(oidc: { name: string }, next: string): HTMLElement[] {
  const label = oidc.name ? t('sso.button', { name: oidc.name }) : t('sso.buttonGeneric')
  return [
    h('a', { class: 'btn btn--primary btn--block btn--large btn--sso', href: signInApi.oidcStartUrl(next), 'data-testid': 'sso-button' }, label),
    h('div', { class: 'auth-divider', role: 'separator' }, t('sso.or')),
  ]
}

/** signinPage renders the sign-in form; on success it goes to ?next= or /rooms. */
export async function signinPage(ctx: PageContext): Promise<HTMLElement> {
  document.title = `${t('signin.title')} · Veche`
  const methods = await methodsOrDefault(ctx.signal)
  const next = safeNext(ctx.query.get('next'))
  const ssoError = ctx.query.get('error')
  if (ssoError) {
    // Shown once: a reload or a shared link should not repeat an old failure.
    const rest = new URLSearchParams(ctx.query)
    rest.delete('error')
    history.replaceState(null, '', `/signin${rest.size ? `?${rest}` : ''}`)
  }

  const byUsername = methods.login === 'email_or_username'
  const error = formError()
  const form = h('form', { id: 'signin-form', class: 'form', novalidate: true }, [
    field(
      byUsername ? t('sso.field.login') : t('field.email'),
      h('input', { name: 'email', type: byUsername ? 'text' : 'email', autocomplete: 'username', required: true, autofocus: !methods.oidc }),
    ),
    field(t('field.password'), h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    error,
    h('button', { type: 'submit', class: `btn btn--block ${methods.oidc ? '' : 'btn--primary'}` }, t('signin.submit')),
  ])

  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const { email = '', password = '' } = formValues(form)
    if (!email || !password) return setError(error, t('form.fillAll'))
    setError(error, null)
    setError(ssoNotice, null)
    try {
      const { user } = await submitting(form, () => api.signIn({ email, password }))
      setCurrentUser(user)
      navigate(next, { replace: true })
    } catch (failure) {
      setError(error, errorText(failure))
      form.querySelector<HTMLInputElement>('input[name=password]')?.select()
    }
  })

  const ssoNotice = formError()
  ssoNotice.setAttribute('data-testid', 'sso-error')
  if (ssoError) setError(ssoNotice, ssoErrorText(ssoError))

  return authLayout(
    [
      h('h1', {}, t('signin.title')),
      ssoNotice,
      ...(methods.oidc ? ssoBlock(methods.oidc, next) : []),
      form,
      h('p', { class: 'muted small' }, t('signin.guestHint')),
    ],
    [caNote()],
  )
}
