// The License page: what the license allows and uses, and (for the owner) activation and renewal.
import { api, ApiError, type LicenseInfo, type LicenseStatus } from '../api.ts'
import { formValues, h, setChildren } from '../dom.ts'
import { formatDate, hasMessage, t, type MessageKey } from '../i18n/index.ts'
import { signInAgain, type PageContext } from '../router.ts'
import { currentUserOrNull } from '../session.ts'
import { appShell } from '../ui/app-shell.ts'
import { errorText } from '../ui/error-text.ts'
import { formError, setError, submitting } from '../ui/form.ts'

const statusKeys: Record<LicenseStatus, MessageKey> = {
  active: 'license.status.active',
  unlicensed: 'license.status.unlicensed',
  suspended: 'license.status.suspended',
  invalid: 'license.status.invalid',
}

function row(label: string, value: Node | string, testid?: string): HTMLElement[] {
  return [h('dt', {}, label), h('dd', testid ? { 'data-testid': testid } : {}, value)]
}

/** problemText translates a license problem by code; the server's own words follow as detail. */
function problemText(problem: NonNullable<LicenseInfo['problem']>): HTMLElement {
  const key = `license.problem.${problem.code}`
  return h('div', { class: 'license-problem', 'data-testid': 'license-problem' }, [
    h('p', {}, hasMessage(key) ? t(key) : t('license.problem.other')),
    h('p', { class: 'muted small', lang: 'en' }, problem.message),
  ])
}

/** kindText says what kind of key a non-sold license is ("Evaluation: 12 days left"), or null for a sold one. */
function kindText(license: LicenseInfo): string | null {
  if (license.kind === 'development') return t('license.kind.development')
  if (license.kind !== 'evaluation' || !license.termEnd) return null
  const left = Math.ceil((license.termEnd * 1000 - Date.now()) / 86_400_000)
  return left > 0 ? t('license.kind.evaluation', { count: left }) : t('license.kind.evaluationEnded')
}

/** warningText words a license warning in the page's language. */
export function warningText(warning: NonNullable<LicenseInfo['warnings']>[number]): string {
  if (warning.code === 'term_ending') return t('license.termEnding', { count: warning.daysLeft })
  if (warning.code === 'evaluation_ending') return t('license.evaluationEnding', { count: warning.daysLeft })
  return warning.message
}

function details(license: LicenseInfo): HTMLElement {
  const items: HTMLElement[] = [
    ...row(t('license.statusLabel'), h('span', { class: `badge badge--license-${license.status}` }, t(statusKeys[license.status])), 'license-status'),
  ]
  const kind = kindText(license)
  if (kind) items.push(...row(t('license.kindLabel'), h('span', { class: `badge badge--license-${license.kind === 'development' ? 'invalid' : 'suspended'}` }, kind), 'license-kind'))
  if (license.licensee) {
    const taxId = license.licensee.taxId ? ` (${t('license.taxId')} ${license.licensee.taxId})` : ''
    items.push(...row(t('license.licensee'), `${license.licensee.name}${taxId}`))
  }
  if (license.plan) items.push(...row(t('license.plan'), license.plan))
  if (license.term) {
    const term = license.term === 'perpetual' ? t('license.perpetual') : t('license.subscriptionUntil', { date: formatDate((license.termEnd ?? 0) * 1000) })
    items.push(...row(t('license.term'), term))
  }
  if (license.version) items.push(...row(t('license.version'), license.version, 'license-version'))
  if (license.updatesUntil) {
    const date = formatDate(license.updatesUntil * 1000)
    const covered = license.updatesUntil * 1000 > Date.now()
    items.push(...row(t('license.updatesUntil'), covered ? t('license.updatesCovered', { date }) : t('license.updatesEnded', { date }), 'license-updates'))
  }
  if (license.limits) {
    const usage = license.usage
    items.push(
      ...row(t('license.rooms'), t('license.usageOf', { used: usage?.rooms ?? 0, limit: license.limits.rooms })),
      ...row(t('license.participantsPerRoom'), String(license.limits.participantsPerRoom)),
      ...row(t('license.users'), t('license.usageOf', { used: usage?.internalUsers ?? 0, limit: license.limits.internalUsers })),
    )
  }
  if (license.licenseId) {
    const featureName = (f: string): string => {
      const key = `license.feature.${f}`
      return hasMessage(key) ? t(key) : f
    }
    const features = license.features.length ? license.features.map(featureName).join(', ') : t('license.noFeatures')
    items.push(...row(t('license.features'), features, 'license-features'))
  }
  if (license.activation) {
    const a = license.activation
    items.push(...row(t('license.activated'), t('license.activatedOn', { date: formatDate(a.activatedAt * 1000), id: a.activationId }), 'license-activation'))
    items.push(
      ...row(
        t('license.thisServer'),
        h('span', { class: `badge badge--license-${a.fingerprintOk ? 'active' : 'invalid'}` }, t(a.fingerprintOk ? 'license.fingerprintOk' : 'license.fingerprintMismatch')),
        'license-fingerprint',
      ),
    )
  } else if (license.licenseId !== undefined) {
    items.push(...row(t('license.activated'), t('license.notActivated'), 'license-activation'))
  }
  if (license.licenseId) items.push(...row(t('license.id'), h('code', {}, license.licenseId)))
  return h('dl', { class: 'facts' }, items)
}

/** licensePage shows the license; the owner also gets the form to activate or renew it. */
export async function licensePage(ctx: PageContext): Promise<HTMLElement> {
  document.title = `${t('license.title')} · Veche`
  const user = await currentUserOrNull(ctx.signal)
  if (!user) throw new ApiError('unauthenticated', 401, 'signed out')
  let license = await api.license(ctx.signal)

  const summary = h('section', { class: 'card', 'data-testid': 'license' })
  const render = () => {
    setChildren(summary, [
      license.problem ? problemText(license.problem) : null,
      ...(license.warnings ?? []).map((warning) =>
        h('p', { class: 'notice' }, warningText(warning)),
      ),
      details(license),
    ])
  }
  render()

  const main: Node[] = [h('div', { class: 'page-head' }, [h('h1', {}, t('license.title')), h('p', { class: 'muted' }, t('license.intro'))]), summary]

  if (user.role === 'owner') {
    const renewing = license.status === 'active'
    const error = formError()
    const done = h('p', { class: 'notice', role: 'status', hidden: true })
    const keyInput = h('textarea', { name: 'key', id: 'license-key', rows: 4, class: 'textarea', spellcheck: 'false', autocomplete: 'off', required: true })
    const form = h('form', { id: 'license-form', class: 'form', novalidate: true }, [
      h('div', { class: 'field' }, [
        h('label', { for: 'license-key' }, t('license.keyLabel')),
        keyInput,
        h('small', { class: 'field__hint' }, renewing ? t('license.renewHint') : t('license.activateHint')),
      ]),
      error,
      h('div', {}, [h('button', { type: 'submit', class: 'btn btn--primary' }, renewing ? t('license.renew') : t('license.activate'))]),
    ])
    form.addEventListener('submit', async (event) => {
      event.preventDefault()
      done.hidden = true
      const { key = '' } = formValues(form)
      if (!key) return setError(error, t('license.keyRequired'))
      setError(error, null)
      try {
        license = await submitting(form, () => (renewing ? api.renewLicense(key) : api.activateLicense(key)))
        render()
        form.reset()
        done.textContent = t('license.saved')
        done.hidden = false
      } catch (failure) {
        if (failure instanceof ApiError && failure.status === 401) return signInAgain()
        const unreachableVendor = failure instanceof ApiError && failure.code === 'activation_unreachable'
        const detail = failure instanceof ApiError && failure.status > 0 ? ` (${failure.message})` : ''
        setError(error, `${unreachableVendor ? t('license.vendorUnreachable') : errorText(failure)}${detail}`)
      }
    })
    main.push(h('section', { class: 'card' }, [h('h2', { class: 'card__title' }, renewing ? t('license.renewTitle') : t('license.activateTitle')), form, done]))
  }

  return appShell(user, 'license', main)
}
