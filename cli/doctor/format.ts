// Prints doctor's findings for people: one line per check, the label first so problems stand out.
import type { Check } from './check.ts'
import type { CheckReport } from './run-checks.ts'

const LABELS: Record<CheckReport['status'], string> = { ok: 'ok', warning: 'warn', error: 'FAIL', skipped: 'skip' }

export function formatReports(reports: CheckReport[]): string {
  const width = Math.max(...reports.map((r) => r.title.length))
  const lines = reports.map((r) => {
    const fixed = r.fixed ? ` [fixed: ${r.fixed}]` : ''
    return `${LABELS[r.status].padEnd(4)} ${r.title.padEnd(width)}  ${r.message}${fixed}`
  })
  const count = (status: CheckReport['status'], one: string, many: string): string | undefined => {
    const n = reports.filter((r) => r.status === status).length
    return n ? `${n} ${n === 1 ? one : many}` : undefined
  }
  const summary = [count('error', 'error', 'errors'), count('warning', 'warning', 'warnings'), count('skipped', 'skipped', 'skipped')].filter(Boolean)
  return `${lines.join('\n')}\n\n${summary.length ? summary.join(', ') : 'all checks passed'}\n`
}

export function formatList(checks: readonly Check[]): string {
  const width = Math.max(...checks.map((c) => c.name.length))
  return checks.map((c) => `${c.name.padEnd(width)}  ${c.title}\n`).join('')
}
