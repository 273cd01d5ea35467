// The typed shape of Veche's database for Kysely: every table and column as the migrations in
// ./migrations/ leave them, the same on SQLite and PostgreSQL. A migration that changes a table
// changes its interface here in the same commit (test/server/db/engines.test.ts compares them).
// Times are Unix milliseconds (INTEGER on SQLite, BIGINT on PostgreSQL, a number in both); ids of
// accounts, rooms and recordings are random strings; JSON is TEXT; booleans are 0/1 integers.
import type { Generated } from 'kysely'

export interface SchemaMigrationsTable {
  version: number
  name: string
  applied_at: number
}

export interface UsersTable {
  id: string
  /** Unique ignoring case (COLLATE NOCASE; on PostgreSQL a case-insensitive ICU collation). */
  email: string
  display_name: string
  role: 'owner' | 'admin' | 'member'
  password_hash: string
  created_at: number
  auth_source: Generated<'local' | 'ldap' | 'oidc'>
  external_id: string | null
  blocked_at: number | null
  failed_signins: Generated<number>
  locked_until: number | null
}

export interface SessionsTable {
  token_hash: string
  user_id: string
  created_at: number
  expires_at: number
}

export interface RoomsTable {
  id: string
  title: string
  owner_id: string
  created_at: number
  lobby: Generated<'off' | 'guests' | 'everyone'>
  pin_hash: string | null
}

/** Single-row tables (license, license_pending, clock) keep id = 1. */
export interface LicenseTable {
  id: number
  license_id: string
  license_key: string
  certificate: string
  activated_at: number
  installed_at: number
}

export interface LicensePendingTable {
  id: number
  license_id: string
  license_key: string
  nonce: string
  created_at: number
}

export interface UpdatePackagesTable {
  jti: string
  license_id: string
  token: string
  updates_until: number
  installed_at: number
}

export interface ClockTable {
  id: number
  last_seen: number
}

export interface RecordingsTable {
  id: string
  room_id: string | null
  room_title: string
  room_owner_id: string | null
  started_by: string | null
  started_by_name: string
  started_at: number
  ended_at: number | null
  duration_ms: number | null
  size_bytes: number | null
  status: 'recording' | 'ready' | 'partial' | 'failed'
  error_code: string | null
  error_message: string | null
  file: string
  chat_file: string
}

export interface AuditLogTable {
  id: Generated<number>
  at: number
  actor_id: string | null
  actor_name: string
  action: string
  target_id: string | null
  target_name: string | null
  /** A JSON object. */
  detail: Generated<string>
}

export interface MeetingsTable {
  id: Generated<number>
  room_id: string
  room_title: string
  started_at: number
  ended_at: number | null
}

export interface MeetingParticipantsTable {
  id: Generated<number>
  meeting_id: number
  user_id: string | null
  display_name: string
  kind: 'internal' | 'guest'
  joined_at: number
  left_at: number | null
  user_agent: string | null
  browser: string | null
  os: string | null
  ip: string | null
  /** 0 or 1. */
  via_proxy: Generated<number>
  forwarded_for: string | null
  /** Milliseconds the participant's browser rated its connection good / fair / poor (0008); NULL: no report. */
  quality_good_ms: number | null
  quality_fair_ms: number | null
  quality_poor_ms: number | null
  /** Milliseconds the server sent less video than asked for / audio only, for the downlink (0008). */
  video_lowered_ms: number | null
  audio_only_ms: number | null
}

export interface MeetingChatTable {
  id: Generated<number>
  meeting_id: number
  participant_id: number | null
  sender_name: string
  text: string
  sent_at: number
}

export interface UsagePeaksTable {
  /** 'YYYY-MM-DD', a UTC day. */
  day: string
  peak_rooms: Generated<number>
  peak_participants: Generated<number>
  peak_meeting_participants: Generated<number>
}

export interface InvitationsTable {
  id: Generated<number>
  room_id: string | null
  sender_id: string | null
  sender_name: string
  recipient: string
  created_at: number
  scheduled_at: number | null
  sent_at: number | null
  status: 'sent' | 'refused' | 'failed'
  reason: string | null
}

/** Database is every table Veche keeps, by name, for Kysely<Database>. */
export interface Database {
  schema_migrations: SchemaMigrationsTable
  users: UsersTable
  sessions: SessionsTable
  rooms: RoomsTable
  license: LicenseTable
  license_pending: LicensePendingTable
  update_packages: UpdatePackagesTable
  clock: ClockTable
  recordings: RecordingsTable
  audit_log: AuditLogTable
  meetings: MeetingsTable
  meeting_participants: MeetingParticipantsTable
  meeting_chat: MeetingChatTable
  usage_peaks: UsagePeaksTable
  invitations: InvitationsTable
}

/** TABLE_COLUMNS lists each table's columns, so tests can hold this file and the migrations together. */
export const TABLE_COLUMNS: { [T in keyof Database]: (keyof Database[T] & string)[] } = {
  schema_migrations: ['version', 'name', 'applied_at'],
  users: ['id', 'email', 'display_name', 'role', 'password_hash', 'created_at', 'auth_source', 'external_id', 'blocked_at', 'failed_signins', 'locked_until'],
  sessions: ['token_hash', 'user_id', 'created_at', 'expires_at'],
  rooms: ['id', 'title', 'owner_id', 'created_at', 'lobby', 'pin_hash'],
  license: ['id', 'license_id', 'license_key', 'certificate', 'activated_at', 'installed_at'],
  license_pending: ['id', 'license_id', 'license_key', 'nonce', 'created_at'],
  update_packages: ['jti', 'license_id', 'token', 'updates_until', 'installed_at'],
  clock: ['id', 'last_seen'],
  recordings: [
    'id', 'room_id', 'room_title', 'room_owner_id', 'started_by', 'started_by_name', 'started_at', 'ended_at',
    'duration_ms', 'size_bytes', 'status', 'error_code', 'error_message', 'file', 'chat_file',
  ],
  audit_log: ['id', 'at', 'actor_id', 'actor_name', 'action', 'target_id', 'target_name', 'detail'],
  meetings: ['id', 'room_id', 'room_title', 'started_at', 'ended_at'],
  meeting_participants: [
    'id', 'meeting_id', 'user_id', 'display_name', 'kind', 'joined_at', 'left_at', 'user_agent', 'browser', 'os', 'ip',
    'via_proxy', 'forwarded_for', 'quality_good_ms', 'quality_fair_ms', 'quality_poor_ms', 'video_lowered_ms', 'audio_only_ms',
  ],
  meeting_chat: ['id', 'meeting_id', 'participant_id', 'sender_name', 'text', 'sent_at'],
  usage_peaks: ['day', 'peak_rooms', 'peak_participants', 'peak_meeting_participants'],
  invitations: ['id', 'room_id', 'sender_id', 'sender_name', 'recipient', 'created_at', 'scheduled_at', 'sent_at', 'status', 'reason'],
}
