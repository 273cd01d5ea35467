// Token buckets keyed by a string (an address, a user): each holds up to `capacity` points and
// refills continuously at capacity per minute. Plain data, no timers; the clock is passed in.

export interface BucketOutcome {
  allowed: boolean
  /** Whole seconds until `cost` points are available again (0 when allowed). */
  retryAfterSeconds: number
}

interface Bucket {
  tokens: number
  updatedAt: number
}

export class TokenBuckets {
  readonly #capacity: number
  readonly #perMs: number
  readonly #maxKeys: number
  readonly #buckets = new Map<string, Bucket>()

  /** `maxKeys` bounds memory: beyond it, the oldest idle buckets are forgotten (they were full anyway). */
  constructor(perMinute: number, maxKeys = 100_000) {
    this.#capacity = perMinute
    this.#perMs = perMinute / 60_000
    this.#maxKeys = maxKeys
  }

  take(key: string, cost: number, now: number): BucketOutcome {
    const bucket = this.#refilled(key, now)
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost
      return { allowed: true, retryAfterSeconds: 0 }
    }
    // A cost above capacity can never pass; say when the bucket is full rather than "never".
    const missing = Math.min(cost, this.#capacity) - bucket.tokens
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(missing / this.#perMs / 1000)) }
  }

  #refilled(key: string, now: number): Bucket {
    let bucket = this.#buckets.get(key)
    if (!bucket) {
      if (this.#buckets.size >= this.#maxKeys) this.#forgetFull(now)
      bucket = { tokens: this.#capacity, updatedAt: now }
    } else {
      this.#buckets.delete(key) // re-inserted below: Map order then tracks recent use
      bucket.tokens = Math.min(this.#capacity, bucket.tokens + (now - bucket.updatedAt) * this.#perMs)
      bucket.updatedAt = now
    }
    this.#buckets.set(key, bucket)
    return bucket
  }

  /** #forgetFull drops buckets that have refilled completely, then the least recently used if still full. */
  #forgetFull(now: number): void {
    for (const [key, b] of this.#buckets) {
      if (b.tokens + (now - b.updatedAt) * this.#perMs >= this.#capacity) this.#buckets.delete(key)
    }
    while (this.#buckets.size >= this.#maxKeys) {
      const oldest = this.#buckets.keys().next().value
      if (oldest === undefined) break
      this.#buckets.delete(oldest)
    }
  }

  get size(): number {
    return this.#buckets.size
  }
}
