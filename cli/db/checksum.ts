// A table's fingerprint, computed the same way from SQLite's rows and PostgreSQL's: the row count and
// a SHA-256 over each row rendered as a JSON array of its values in schema.ts's column order, rows in
// primary-key order. Both engines hand back the same JS values for Veche's columns (times, ids and
// flags are numbers, BIGINT parsed to a number by engine.ts; JSON and everything else is text), so
// equal digests mean equal contents.
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
      if (v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) return v
      throw new Error(`column ${c} holds a ${typeof v === 'object' ? (v?.constructor.name ?? 'object') : typeof v} (${String(v)}), not a number, text or NULL`)
    })
    this.#hash.update(JSON.stringify(values))
    this.#hash.update('\n')
    this.rows++
  }

  /** hex ends the digest; call once. */
  hex(): string {
    return this.#hash.digest('hex')
  }
}
