// What `veche db migrate-to-postgres` and `veche db status` walk: every table of the schema, each
// with its primary key, in an order that inserts a row only after the rows it refers to.
import { TABLE_COLUMNS, type Database } from '../../server/db/schema.ts'

export type TableName = keyof Database

export interface TableKey {
  /** The single-column primary key, the order rows are copied and checksummed in. */
  column: string
  /** A TEXT key: PostgreSQL must sort it byte-wise (COLLATE "C") to match SQLite's BINARY order. */
  text: boolean
}

// A mapped type, so a table added to schema.ts without a line here fails the typecheck.
// Listed parents first: users before sessions and rooms, rooms before recordings and invitations,
// meetings before their participants and chat. schema_migrations last: the target's own rows,
// written by migratePostgres, are replaced by the source's history inside the same transaction.
const KEYS: { [T in TableName]: { column: keyof Database[T] & string; text: boolean } } = {
  users: { column: 'id', text: true },
  sessions: { column: 'token_hash', text: true },
  rooms: { column: 'id', text: true },
  license: { column: 'id', text: false },
  license_pending: { column: 'id', text: false },
  update_packages: { column: 'jti', text: true },
  clock: { column: 'id', text: false },
  recordings: { column: 'id', text: true },
  audit_log: { column: 'id', text: false },
  meetings: { column: 'id', text: false },
  meeting_participants: { column: 'id', text: false },
  meeting_chat: { column: 'id', text: false },
  usage_peaks: { column: 'day', text: true },
  invitations: { column: 'id', text: false },
  schema_migrations: { column: 'version', text: false },
}

export interface TablePlan {
  name: TableName
  columns: readonly string[]
  key: TableKey
}

/** TABLES lists every table in copy order with its columns (as schema.ts names them) and key. */
export const TABLES: readonly TablePlan[] = (Object.keys(KEYS) as TableName[]).map((name) => ({
  name,
  columns: TABLE_COLUMNS[name],
  key: KEYS[name],
}))
