// Workspace accounts for owners and admins: who can sign in, adding someone, and managing each account
// (role, block, new password, delete).
import { adminApi, api, ApiError, type ManagedUser, type Role, type User } from '../api.ts'
import { confirmDialog, DialogInputError } from '../admin/dialog.ts'
import { formValues, h, setChildren } from '../dom.ts'
import { formatDate, t, type MessageKey } from '../i18n/index.ts'
import { icon } from '../icons.ts'
import { refresh, signInAgain, type PageContext } from '../router.ts'
import { currentUserOrNull, setCurrentUser } from '../session.ts'
import { appShell } from '../ui/app-shell.ts'
import { errorText } from '../ui/error-text.ts'
import { field, formError, looksLikeEmail, setError, submitting } from '../ui/form.ts'
import { avatarHue, initials } from '../ui/initials.ts'
import { minPasswordLength } from './setup.ts'

const roleLabels: Record<Role, MessageKey> = { owner: 'role.owner', admin: 'role.admin', member: 'role.member' }
const roles: Role[] = ['owner', 'admin', 'member']

/** What the page does when a row's control is used; each resolves once the list is up to date. */
interface RowActions {
  setRole(user: ManagedUser, role: Role): Promise<void>
  block(user: ManagedUser): void
  unblock(user: ManagedUser): Promise<void>
  resetPassword(user: ManagedUser): void
  remove(user: ManagedUser): void
}

/** mayManage mirrors the server's rule so the page offers only what will be allowed; the server decides. */
const mayManage = (self: User, user: ManagedUser): boolean => self.role === 'owner' || user.role === 'member'

function roleControl(user: ManagedUser, self: User, actions: RowActions): HTMLElement {
  if (self.role !== 'owner') return h('span', { class: `badge badge--${user.role}` }, t(roleLabels[user.role]))
  const select = h(
    'select',
    { class: 'user__role', 'data-testid': 'user-role', 'aria-label': t('admin.roleOf', { name: user.displayName }) },
    roles.map((role) => h('option', { value: role, selected: role === user.role }, t(roleLabels[role]))),
  )
  select.addEventListener('change', async () => {
    const role = roles.find((r) => r === select.value) ?? user.role
    select.disabled = true
    try {
      await actions.setRole(user, role)
    } finally {
      select.disabled = false
      // Refused: the list was not re-rendered, so show the role the user still has.
      select.value = user.role
    }
  })
  return select
}

function userItem(user: ManagedUser, self: User, actions: RowActions): HTMLElement {
  const isSelf = user.id === self.id
  const manage = mayManage(self, user) && !isSelf
  const button = (label: string, testId: string, onClick: () => void, extra: Record<string, string> = {}, content?: Node[]) => {
    const b = h('button', { type: 'button', class: 'btn btn--small', 'data-testid': testId, ...extra }, content ?? label)
    b.addEventListener('click', onClick)
    return b
  }
  const blockButton = user.blockedAt === null
    ? button(t('admin.block'), 'user-block', () => actions.block(user))
    : button(t('admin.unblock'), 'user-unblock', async () => {
        blockButton.disabled = true
        await actions.unblock(user)
        blockButton.disabled = false
      })

  return h('li', { class: 'user', 'data-testid': 'user-item', 'data-user-id': user.id, 'data-blocked': user.blockedAt !== null }, [
    h('span', { class: 'avatar', 'aria-hidden': 'true', style: `--hue: ${avatarHue(user.displayName)}` }, initials(user.displayName)),
    h('div', { class: 'user__info' }, [
      h('span', { class: 'user__name' }, [user.displayName, isSelf ? h('span', { class: 'muted' }, ` (${t('users.you')})`) : null]),
      h('span', { class: 'muted small' }, user.email),
      h('span', { class: 'user__tags' }, [
        h(
          'span',
          { class: 'badge badge--source', 'data-testid': 'user-source', title: t(`admin.sourceTitle.${user.authSource}`) },
          t(`admin.source.${user.authSource}`),
        ),
        user.blockedAt === null
          ? null
          : h(
              'span',
              { class: 'badge badge--blocked', 'data-testid': 'user-blocked', title: t('admin.blockedSince', { date: formatDate(user.blockedAt) }) },
              t('admin.blocked'),
            ),
      ]),
    ]),
    h('div', { class: 'user__role-cell' }, roleControl(user, self, actions)),
    h('div', { class: 'user__actions' }, [
      manage ? blockButton : null,
      manage && user.authSource === 'local' ? button(t('admin.resetPassword'), 'user-reset-password', () => actions.resetPassword(user)) : null,
      manage
        ? button('', 'user-delete', () => actions.remove(user), {
            class: 'btn btn--small btn--ghost btn--danger',
            'aria-label': t('admin.deleteLabel', { name: user.displayName }),
            title: t('admin.delete'),
          }, [icon('trash')])
        : null,
    ]),
  ])
}

/** usersPage lists the workspace's accounts, what may be done to each, and the form to add one. */
export async function usersPage(ctx: PageContext): Promise<HTMLElement> {
  document.title = `${t('users.title')} · Veche`
  const self = await currentUserOrNull(ctx.signal)
  if (!self) throw new ApiError('unauthenticated', 401, 'signed out')
  let users = (await adminApi.listUsers(ctx.signal)).users

  const list = h('ul', { class: 'users', 'data-testid': 'user-list' })
  const countLine = h('p', { class: 'muted' })
  // One line for the outcome of the last row action: done (status) or refused (alert).
  const outcome = h('p', { class: 'notice', role: 'status', hidden: true, 'data-testid': 'users-outcome' })
  const failure = h('p', { class: 'form-error', role: 'alert', hidden: true, 'data-testid': 'users-error' })
  const say = (message: string | null, failed = false) => {
    outcome.hidden = failed || message === null
    failure.hidden = !failed || message === null
    ;(failed ? failure : outcome).textContent = message ?? ''
  }

  const render = () => {
    countLine.textContent = t('users.count', { count: users.length })
    setChildren(list, users.map((user) => userItem(user, self, actions)))
  }
  const replace = (updated: ManagedUser) => {
    users = users.map((u) => (u.id === updated.id ? updated : u))
    render()
  }
  /** run performs a row action, reporting its outcome; a 401 means our own session ended. */
  const run = async (work: () => Promise<string>) => {
    say(null)
    try {
      say(await work())
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return signInAgain()
      say(errorText(error), true)
    }
  }

  const actions: RowActions = {
    setRole: (user, role) =>
      run(async () => {
        const updated = (await adminApi.setRole(user.id, role)).user
        replace(updated)
        if (updated.id === self.id) {
          // Our own role changed: the menu and this page's controls follow it.
          setCurrentUser(updated)
          refresh()
        }
        return t('admin.roleChanged', { name: updated.displayName, role: t(roleLabels[updated.role]) })
      }),
    block: (user) =>
      confirmDialog({
        title: t('admin.blockTitle', { name: user.displayName }),
        body: t('admin.blockBody', { name: user.displayName }),
        confirmLabel: t('admin.blockConfirm'),
        danger: true,
        testId: 'block-dialog',
        onConfirm: async () => {
          replace((await adminApi.block(user.id)).user)
          say(t('admin.blockedDone', { name: user.displayName }))
        },
      }),
    unblock: (user) =>
      run(async () => {
        replace((await adminApi.unblock(user.id)).user)
        return t('admin.unblockedDone', { name: user.displayName })
      }),
    resetPassword: (user) => {
      const password = h('input', { name: 'password', type: 'password', autocomplete: 'new-password', required: true, 'data-testid': 'new-password' })
      confirmDialog({
        title: t('admin.resetTitle', { name: user.displayName }),
        body: t('admin.resetBody', { name: user.displayName }),
        content: [field(t('admin.newPassword'), password, t('field.passwordHint', { count: minPasswordLength }))],
        confirmLabel: t('admin.resetConfirm'),
        testId: 'password-dialog',
        onConfirm: async () => {
          if ([...password.value].length < minPasswordLength) throw new DialogInputError(t('error.weak_password'))
          await adminApi.resetPassword(user.id, password.value)
          say(t('admin.passwordDone', { name: user.displayName }))
        },
      })
      password.focus()
    },
    remove: (user) =>
      confirmDialog({
        title: t('admin.deleteTitle', { name: user.displayName }),
        body: t('admin.deleteBody', { name: user.displayName }),
        confirmLabel: t('admin.deleteConfirm'),
        danger: true,
        testId: 'delete-dialog',
        onConfirm: async () => {
          await adminApi.deleteUser(user.id)
          users = users.filter((u) => u.id !== user.id)
          render()
          say(t('admin.deletedDone', { name: user.displayName }))
        },
      }),
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
      users = (await adminApi.listUsers()).users
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
    outcome,
    failure,
    list,
  ])
}
