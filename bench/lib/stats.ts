// Small statistics for repeated measurements: median, spread, percentiles of raw samples.

export const median = (xs: number[]): number => percentile(xs, 0.5)

/** percentile returns the nearest-rank quantile `q` (0..1) of `xs`; NaN when empty. */
export function percentile(xs: number[], q: number): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (s.length === 0) return Number.NaN
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!
}

export interface Summary {
  median: number
  min: number
  max: number
  /** (max - min) / median: how far apart the repeats were. */
  spread: number
  n: number
}

export function summarize(xs: number[]): Summary {
  const s = xs.filter((x) => Number.isFinite(x))
  if (s.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, spread: Number.NaN, n: 0 }
  const m = median(s)
  const min = Math.min(...s)
  const max = Math.max(...s)
  return { median: m, min, max, spread: m === 0 ? 0 : (max - min) / Math.abs(m), n: s.length }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
