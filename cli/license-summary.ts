// Prints what a license allows, for people (the --json forms print the state itself).
import type { LicenseState } from '../server/license/evaluate.ts'

const date = (unix: number | undefined): string => (unix === undefined ? '-' : new Date(unix * 1000).toISOString().slice(0, 10))

export function formatLicense(s: LicenseState): string {
  const lines: string[] = [`status:          ${s.status}`]
  if (s.problem) lines.push(`problem:         ${s.problem.message}`)
  const c = s.claims
  if (c?.kind === 'development') lines.push('kind:            Development license (veche serve --dev): not for production')
  if (c?.kind === 'evaluation' && c.termEnd !== undefined) {
    const left = Math.ceil((c.termEnd - s.checkedAt) / 86_400)
    lines.push(`kind:            ${left > 0 ? `Evaluation: ${left} day${left === 1 ? '' : 's'} left` : 'Evaluation: ended'} (until ${date(c.termEnd)})`)
  }
  if (c) {
    lines.push(
      `license:         ${c.sub}`,
      `licensee:        ${c.licensee.name}${c.licensee.taxId ? ` (tax id ${c.licensee.taxId})` : ''}`,
      `plan:            ${c.plan}`,
      `rooms:           ${c.limits.rooms} simultaneous`,
      `participants:    ${c.limits.participantsPerRoom} per room`,
      `internal users:  ${c.limits.internalUsers}`,
      `features:        ${c.features.length ? c.features.join(', ') : 'none'}`,
      `term:            ${c.term === 'perpetual' ? 'perpetual' : `subscription until ${date(c.termEnd)}`}`,
      `updates until:   ${date(s.updatesUntil)}`,
      `activations:     ${c.activations} allowed`,
    )
  }
  if (s.activation) {
    const fp = s.activation.fingerprint
    lines.push(
      `activated:       ${date(s.activation.activatedAt)} (activation ${s.activation.activationId})`,
      `this machine:    ${fp.ok ? 'matches the activation' : 'DOES NOT match the activation'}${fp.changed.length ? ` (changed: ${fp.changed.join(', ')})` : ''}`,
    )
  }
  for (const w of s.warnings) lines.push(`warning:         ${w.message}`)
  return `${lines.join('\n')}\n`
}
