// What a doctor check is: a name for --run, a title for people, and run(ctx, autofix).
import type { DoctorContext } from './context.ts'

export type Status = 'ok' | 'warning' | 'error'

export interface CheckResult {
  status: Status
  /** One line; on a warning or error it names the command or config key that fixes it. */
  message: string
  /** What --fix changed, when it changed something. */
  fixed?: string
}

export interface Check {
  /** Stable, kebab-case: what `--run` takes. */
  name: string
  title: string
  /** Runs only when named in --run (a check that loads the machine, e.g. capacity). */
  onlyWhenNamed?: boolean
  /** run inspects; with autofix it also repairs what it can and reports the state after the repair. */
  run(ctx: DoctorContext, autofix: boolean): Promise<CheckResult>
}

/**
 * SkipCheck is thrown by a check that cannot judge because something it stands on is broken
 * (the configuration, the database schema); the check that owns that problem reports it.
 */
export class SkipCheck extends Error {
  override name = 'SkipCheck'
}
