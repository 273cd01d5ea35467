// Prints figures as a plain-text table: right-aligned numbers, one row per line.

export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))]
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)))
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n')
}

/** fmt prints `x` with `digits` decimals; '-' for NaN. */
export const fmt = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : '-')
export const pct = (x: number, digits = 2): string => (Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : '-')
/** withSpread prints a median and the repeats' relative spread, e.g. "3.05 ±2%". */
export const withSpread = (median: number, spread: number, digits = 2): string =>
  Number.isFinite(median) ? `${median.toFixed(digits)} ±${Math.round((spread * 100) / 2)}%` : '-'
