// A fixed-bucket latency histogram: 10 µs buckets up to 100 ms, one overflow bucket. Recording is
// one array increment, so the receivers can time every packet.
const BUCKET_MS = 0.01
const BUCKETS = 10_000

export class Histogram {
  readonly #counts = new Float64Array(BUCKETS + 1)
  #n = 0

  record(ms: number): void {
    const i = ms <= 0 ? 0 : Math.min(BUCKETS, Math.floor(ms / BUCKET_MS))
    this.#counts[i]!++
    this.#n++
  }

  get count(): number {
    return this.#n
  }

  reset(): void {
    this.#counts.fill(0)
    this.#n = 0
  }

  /** percentile returns the upper edge (ms) of the bucket holding quantile `q` (0..1); NaN when empty. */
  percentile(q: number): number {
    if (this.#n === 0) return Number.NaN
    const rank = Math.ceil(q * this.#n)
    let seen = 0
    for (let i = 0; i <= BUCKETS; i++) {
      seen += this.#counts[i]!
      if (seen >= rank) return i === BUCKETS ? Number.POSITIVE_INFINITY : (i + 1) * BUCKET_MS
    }
    return Number.NaN
  }
}
