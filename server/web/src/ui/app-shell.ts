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

type Section = 'rooms' | 'recordings' | AdminSection
type AdminSection = 'users' | 'meetings' | 'statistics' | 'audit' | 'license'

const isAdminSection = (section: Section): section is AdminSection => section !== 'rooms' && section !== 'recordings'

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
          // One entry for the whole administration; its pages share the tabs below.
          isManager(user) ? adminLink(isAdminSection(active)) : null,
        ]),
        h('div', { class: 'shell__user' }, [
          h('span', { class: 'shell__name', 'data-testid': 'user-name', title: user.email }, user.displayName),
          langSwitch(),
          signOut,
        ]),
      ]),
    ]),
    h('main', { class: 'shell__main', id: 'main' }, [isAdminSection(active) ? adminTabs(user, active) : null, ...main]),
  ])
}

function adminLink(current: boolean): HTMLElement {
  return h(
    'a',
    { href: '/users', 'data-nav': true, 'data-testid': 'nav-admin', class: 'nav__link', 'aria-current': current ? 'page' : null },
    t('shell.admin'),
  )
}

/** adminTabs switch between the administration pages; meeting data and the audit log are the owner's. */
function adminTabs(user: User, active: AdminSection): HTMLElement {
  const owner = user.role === 'owner'
  const tabs: [AdminSection, string, string, boolean][] = [
    ['users', '/users', t('shell.users'), true],
    ['meetings', '/meetings', t('history.nav.meetings'), owner],
    ['statistics', '/statistics', t('history.nav.statistics'), owner],
    ['audit', '/audit', t('audit.nav'), owner],
    ['license', '/license', t('shell.license'), true],
  ]
  const nav = h(
    'nav',
    { class: 'subnav', 'aria-label': t('shell.adminNavLabel') },
    tabs
      .filter(([, , , shown]) => shown)
      .map(([section, href, label]) =>
        h(
          'a',
          {
            href,
            'data-nav': true,
            'data-testid': `nav-${section}`,
            class: 'subnav__tab',
            'aria-current': section === active ? 'page' : null,
          },
          label,
        ),
      ),
  )
  // On a phone the tabs scroll sideways; keep the current one in view.
  requestAnimationFrame(() => nav.querySelector('[aria-current]')?.scrollIntoView({ block: 'nearest', inline: 'center' }))
  return nav
}
