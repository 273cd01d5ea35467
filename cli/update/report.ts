// Prints a kit check for people.
import type { KitReport } from './kit-check.ts'

export function formatReport(kitFile: string, report: KitReport, installed: string): string {
  const lines = [`kit:        ${kitFile}`]
  if (report.manifest) {
    const m = report.manifest
    lines.push(`version:    ${m.version} (released ${new Date(m.releaseDate * 1000).toISOString().slice(0, 10)}), installed ${installed}`)
  }
  for (const c of report.checks) lines.push(`${c.ok ? 'ok  ' : 'FAIL'} ${c.id.padEnd(13)} ${c.message}`)
  lines.push(
    report.ok
      ? 'result:     this kit may be installed: veche update apply <kit>'
      : report.exitCode === 2
        ? 'result:     REFUSED: the kit is damaged or not authentic; get it again from the vendor'
        : 'result:     REFUSED: the kit cannot be installed here (see FAIL lines)',
  )
  return `${lines.join('\n')}\n`
}
