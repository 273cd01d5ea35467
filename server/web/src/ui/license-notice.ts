// The warning on the rooms page when the license stops meetings or its term is about to end.
import type { LicenseInfo, User } from '../api.ts'
import { h } from '../dom.ts'
import { icon } from '../icons.ts'
import { t } from '../i18n/index.ts'
import { isManager } from '../session.ts'

/**
 * licenseNotice renders the warning for a license that stops meetings or is about to end, or null
 * when all is well or the license could not be read.
 */
export function licenseNotice(user: User, license: LicenseInfo | null): HTMLElement | null {
  const message = license ? noticeText(license) : null
  if (!license || !message) return null
  return h('div', { class: 'license-notice', role: 'status', 'data-testid': 'license-notice', 'data-status': license.status }, [
    icon('warning'),
    h('p', {}, [message, ...(isManager(user) ? [' ', h('a', { href: '/license', 'data-nav': true }, t('license.open'))] : [])]),
  ])
}

function noticeText(license: LicenseInfo): string | null {
  if (license.problem?.code === 'evaluation_ended') return t('license.evaluationEnded')
  if (license.status !== 'active') return t('license.meetingsUnavailable')
  const ending = license.warnings?.find((warning) => warning.code === 'term_ending')
  if (ending) return t('license.termEnding', { count: ending.daysLeft })
  const evaluation = license.warnings?.find((warning) => warning.code === 'evaluation_ending')
  return evaluation ? t('license.evaluationEnding', { count: evaluation.daysLeft }) : null
}
