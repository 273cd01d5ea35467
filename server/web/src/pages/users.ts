// Workspace accounts for owners and admins: who can sign in, and adding someone.
import { api, ApiError, type Role, type User } from '../api.ts'
import { formValues, h, setChildren } from '../dom.ts'
import { t, type MessageKey } from '../i18n/index.ts'
import { signInAgain, type PageContext } from '../router.ts'
import { currentUserOrNull } from '../session.ts'
import { appShell } from '../ui/app-shell.ts'
import { errorText } from '../ui/error-text.ts'
import { field, formError, looksLikeEmail, setError, submitting } from '../ui/form.ts'
import { avatarHue, initials } from '../ui/initials.ts'
import { minPasswordLength } from './setup.ts'

const roleLabels: Record<Role, MessageKey> = { owner: 'role.owner', admin: 'role.admin', member: 'role.member' }

function userItem(user: User, self: User): HTMLElement {
  return h('li', { class: 'user', 'data-testid': 'user-item', 'data-user-id': user.id }, [
    h('span', { class: 'avatar', 'aria-hidden': 'true', style: `--hue: ${avatarHue(user.displayName)}` }, initials(user.displayName)),
    h('div', { class: 'user__info' }, [
      h('span', { class: 'user__name' }, [user.displayName, user.id === self.id ? h('span', { class: 'muted' }, ` (${t('users.you')})`) : null]),
      h('span', { class: 'muted small' }, user.email),
    ]),
    h('span', { class: `badge badge--${user.role}` }, t(roleLabels[user.role])),
  ])
}

/** usersPage lists the workspace's accounts and the form to add one. */
export async function usersPage(ctx: PageContext): Promise<HTMLElement> {
  document.title = `${t('users.title')} · Veche`
  const self = await currentUserOrNull(ctx.signal)
  if (!self) throw new ApiError('unauthenticated', 401, 'signed out')
  let users = (await api.listUsers(ctx.signal)).users

  const list = h('ul', { class: 'users', 'data-testid': 'user-list' })
  const countLine = h('p', { class: 'muted' })
  const render = () => {
    countLine.textContent = t('users.count', { count: users.length })
    setChildren(list, users.map((user) => userItem(user, self)))
  }
  render()

  const error = formError()
  const done = h('p', { class: 'notice', role: 'status', hidden: true, 'data-testid': 'form-success' })
  const role = h('select', { name: 'role' }, [
    h('option', { value: 'member', selected: true }, t('role.member')),
    h('option', { value: 'admin' }, t('role.admin')),
  ])
  const form = h('form', { id: 'create-user-form', class: 'form form--grid', novalidate: true }, [
    field(t('field.email'), h('input', { name: 'email', type: 'email', autocomplete: 'off', required: true })),
    field(t('field.displayName'), h('input', { name: 'displayName', autocomplete: 'off', required: true, maxlength: 64 })),
    field(
      t('field.password'),
      h('input', { name: 'password', type: 'password', autocomplete: 'new-password', required: true }),
      t('field.passwordHint', { count: minPasswordLength }),
    ),
    field(t('field.role'), role, t('users.roleHint')),
    h('div', { class: 'form__footer' }, [error, h('button', { type: 'submit', class: 'btn btn--primary' }, t('users.create'))]),
  ])

  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    done.hidden = true
    const { email = '', displayName = '', password = '' } = formValues(form)
    const chosenRole = role.value === 'admin' ? 'admin' : 'member'
    if (!email || !displayName || !password) return setError(error, t('form.fillAll'))
    if (!looksLikeEmail(email)) return setError(error, t('error.invalid_email'))
    if (password.length < minPasswordLength) return setError(error, t('error.weak_password'))
    setError(error, null)
    try {
      const { user } = await submitting(form, () => api.createUser({ email, displayName, password, role: chosenRole }))
      users = [...users, user]
      render()
      form.reset()
      done.textContent = t('users.created', { name: user.displayName, email: user.email })
      done.hidden = false
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 401) return signInAgain()
      setError(error, errorText(failure))
    }
  })

  return appShell(self, 'users', [
    h('div', { class: 'page-head' }, [
      h('h1', {}, t('users.title')),
      countLine,
    ]),
    h('section', { class: 'card' }, [h('h2', { class: 'card__title' }, t('users.createTitle')), form, done]),
    list,
  ])
}
