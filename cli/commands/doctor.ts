import type { Command } from 'commander'
import { withConfigOptions, type ConfigFlags } from '../config-options.ts'
import { createDoctorContext } from '../doctor/context.ts'
import { formatList, formatReports } from '../doctor/format.ts'
import { CHECKS } from '../doctor/registry.ts'
import { healthy, runChecks, selectChecks } from '../doctor/run-checks.ts'

interface DoctorFlags extends ConfigFlags {
  list?: boolean
  run?: string[]
  fix?: boolean
  json?: boolean
}

const EXIT_CODES = `
Exit codes: 0 no check found an error (warnings allowed); 1 an error, or a check could not run
because something it needs is broken (reported as "skip").`

export function registerDoctor(program: Command): void {
  withConfigOptions(program.command('doctor').description('check this installation; every problem names its fix'))
    .option('--list', 'list the checks and exit')
    .option('--run <name...>', 'run only these checks (names from --list; repeatable, or comma-separated)')
    .option('--fix', 'repair what can be repaired safely, and say what was done')
    .option('--json', 'machine-readable output')
    .addHelpText('after', EXIT_CODES)
    .action(async (flags: DoctorFlags) => {
      if (flags.list) {
        const list = CHECKS.map(({ name, title }) => ({ name, title }))
        process.stdout.write(flags.json ? `${JSON.stringify(list, null, 2)}\n` : formatList(CHECKS))
        return
      }
      const named = flags.run?.flatMap((n) => n.split(',')).filter(Boolean)
      // A check that loads the machine (capacity) runs only when asked for by name.
      const checks = selectChecks(named?.length ? CHECKS : CHECKS.filter((c) => !c.onlyWhenNamed), named)
      const reports = await runChecks(checks, createDoctorContext(flags), flags.fix === true)
      const ok = healthy(reports)
      process.stdout.write(flags.json ? `${JSON.stringify({ ok, checks: reports }, null, 2)}\n` : formatReports(reports))
      process.exitCode = ok ? 0 : 1
    })
}
