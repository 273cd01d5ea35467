// The frame of the signed-in pages: header with navigation, the user's name, language and sign-out.
import { api, type User } from '../api.ts'
import { licensedFeatures } from '../features.ts'
import { h } from '../dom.ts'
import { t } from '../i18n/index.ts'
import { icon } from '../icons.ts'
import { navigate } from '../router.ts'
import { isManager, setCurrentUser } from '../session.ts'
import { brand } from './brand.ts'
import { langSwitch } from './lang-switch.ts'

type Section = 'rooms' | 'recordings' | 'users' | 'license' | 'audit' | 'meetings' | 'statistics'

/** appShell wraps a page's main content; `active` marks the current section in the navigation. */
export function appShell(user: User, active: Section, main: Node[]): HTMLElement {
  const navLink = (section: Section, href: string, label: string) =>
    h(
      'a',
      {
        href,
        'data-nav': true,
        'data-testid': `nav-${section}`,
        class: 'nav__link',
        'aria-current': section === active ? 'page' : null,
      },
      label,
    )

  const signOut = h(
    'button',
    { type: 'button', class: 'btn btn--ghost btn--small', 'data-testid': 'signout', title: t('shell.signOut') },
    [icon('signout'), h('span', { class: 'hide-narrow' }, t('shell.signOut'))],
  )
  signOut.addEventListener('click', async () => {
    signOut.disabled = true
    try {
      await api.signOut()
    } catch {
      // Signed out locally either way; an expired session needs no server call.
    }
    setCurrentUser(null)
    navigate('/signin', { replace: true })
  })

  // Recordings appear in the menu only when the license includes recording.
  const recordings = navLink('recordings', '/recordings', t('shell.recordings'))
  recordings.hidden = active !== 'recordings'
  void licensedFeatures().then((features) => (recordings.hidden = !features.includes('recording') && active !== 'recordings'))

  return h('div', { class: 'shell' }, [
    h('header', { class: 'shell__header' }, [
      h('div', { class: 'shell__bar' }, [
        brand(true),
        h('nav', { class: 'nav', 'aria-label': t('shell.navLabel') }, [
          navLink('rooms', '/rooms', t('shell.rooms')),
          recordings,
          isManager(user) ? navLink('users', '/users', t('shell.users')) : null,
          isManager(user) ? navLink('license', '/license', t('shell.license')) : null,
          user.role === 'owner' ? navLink('audit', '/audit', t('audit.nav')) : null,
          // Meeting history and usage statistics: owners only (names, addresses, chat).
          user.role === 'owner' ? navLink('meetings', '/meetings', t('history.nav.meetings')) : null,
          user.role === 'owner' ? navLink('statistics', '/statistics', t('history.nav.statistics')) : null,
        ]),
        h('div', { class: 'shell__user' }, [
          h('span', { class: 'shell__name', 'data-testid': 'user-name', title: user.email }, user.displayName),
          langSwitch(),
          signOut,
        ]),
      ]),
    ]),
    h('main', { class: 'shell__main', id: 'main' }, main),
  ])
}
