// Writes the Prometheus text exposition format (version 0.0.4): `# HELP`, `# TYPE`, then one
// `name{label="value"} number` line per sample. Label values are only ever ids, codes and states.
export type MetricType = 'counter' | 'gauge'

export interface Sample {
  labels?: Record<string, string>
  value: number
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
const escapeHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN'
  if (v === Infinity) return '+Inf'
  if (v === -Infinity) return '-Inf'
  return String(v)
}

export class PrometheusText {
  readonly #lines: string[] = []

  /** add appends one metric family; a family with no samples still documents itself. */
  add(name: string, type: MetricType, help: string, samples: Sample[]): this {
    this.#lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`)
    for (const s of samples) {
      const labels = s.labels && Object.keys(s.labels).length
        ? `{${Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`
        : ''
      this.#lines.push(`${name}${labels} ${formatValue(s.value)}`)
    }
    return this
  }

  toString(): string {
    return `${this.#lines.join('\n')}\n`
  }
}
