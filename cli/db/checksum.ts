// A table's fingerprint, computed the same way from SQLite's rows and PostgreSQL's: the row count and
// a SHA-256 over each row rendered as a JSON-like array of its values in schema.ts's column order,
// rows in primary-key order. Integers are written as their digits whether they come as a number
// (PostgreSQL's BIGINT through engine.ts's parser) or a bigint (SQLite read with safe integers), so an
// integer past 2^53 that PostgreSQL would hand back rounded shows as a difference instead of hiding.
// Times, ids and flags are integers, JSON and everything else is text: equal digests, equal contents.
import { createHash, type Hash } from 'node:crypto'

export class TableDigest {
  rows = 0
  readonly #hash: Hash = createHash('sha256')
  readonly columns: readonly string[]

  constructor(columns: readonly string[]) {
    this.columns = columns
  }

  /** add folds one row in; throws on a value neither engine should return for Veche's schema. */
  add(row: Record<string, unknown>): void {
    const values = this.columns.map((c) => {
      const v = row[c]
      if (v === null) return 'null'
      if (typeof v === 'string') return JSON.stringify(v)
      if (typeof v === 'bigint') return v.toString()
      if (typeof v === 'number' && Number.isFinite(v)) return Number.isSafeInteger(v) ? v.toFixed(0) : String(v)
      throw new Error(`column ${c} holds a ${typeof v === 'object' ? (v?.constructor.name ?? 'object') : typeof v} (${String(v)}), not a number, text or NULL`)
    })
    this.#hash.update(`[${values.join(',')}]\n`)
    this.rows++
  }

  /** hex ends the digest; call once. */
  hex(): string {
    return this.#hash.digest('hex')
  }
}
