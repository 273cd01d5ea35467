// Runs checks one after another and turns whatever each does into a report line.
import type { Check, Status } from './check.ts'
import { SkipCheck } from './check.ts'
import type { DoctorContext } from './context.ts'
import { CliError } from '../errors.ts'

export interface CheckReport {
  name: string
  title: string
  /** skipped: the check could not judge because something it stands on is broken. */
  status: Status | 'skipped'
  message: string
  fixed?: string | undefined
}

/** runChecks runs `checks` in order; a check that throws is reported as an error, never aborts the rest. */
export async function runChecks(checks: readonly Check[], ctx: DoctorContext, autofix: boolean): Promise<CheckReport[]> {
  const reports: CheckReport[] = []
  for (const check of checks) {
    const { name, title } = check
    try {
      const r = await check.run(ctx, autofix)
      reports.push({ name, title, status: r.status, message: r.message, fixed: r.fixed })
    } catch (err) {
      if (err instanceof SkipCheck) reports.push({ name, title, status: 'skipped', message: err.message })
      else reports.push({ name, title, status: 'error', message: `the check itself failed: ${(err as Error).message}` })
    }
  }
  return reports
}

/** healthy is true when every check ran and none found an error (warnings pass). */
export const healthy = (reports: CheckReport[]): boolean => reports.every((r) => r.status === 'ok' || r.status === 'warning')

/** selectChecks returns the named checks in registry order; throws CliError with the valid names on an unknown one. */
export function selectChecks(all: readonly Check[], names: string[] | undefined): readonly Check[] {
  if (!names?.length) return all
  const unknown = names.filter((n) => !all.some((c) => c.name === n))
  if (unknown.length) {
    throw new CliError(`unknown check${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${n}'`).join(', ')}: valid checks are ${all.map((c) => c.name).join(', ')} (\`veche doctor --list\`)`)
  }
  return all.filter((c) => names.includes(c.name))
}
