// Owns the recordings table: what was recorded, by whom, and how it ended. The files themselves are
// the recording service's (server/recording/).
import { randomBytes } from 'node:crypto'
import type { Db } from './database.ts'
import type { UserId } from './users-repository.ts'

export type RecordingId = string & { readonly __brand: 'RecordingId' }
export type RecordingStatus = 'recording' | 'ready' | 'partial' | 'failed'

export interface Recording {
  id: RecordingId
  roomId: string | null
  roomTitle: string
  roomOwnerId: UserId | null
  startedBy: UserId | null
  startedByName: string
  /** Unix milliseconds. */
  startedAt: number
  endedAt: number | null
  durationMs: number | null
  sizeBytes: number | null
  status: RecordingStatus
  error: { code: string; message: string } | null
  file: string
  chatFile: string
}

interface RecordingRow {
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
  status: RecordingStatus
  error_code: string | null
  error_message: string | null
  file: string
  chat_file: string
}

const toRecording = (r: RecordingRow): Recording => ({
  id: r.id as RecordingId,
  roomId: r.room_id,
  roomTitle: r.room_title,
  roomOwnerId: r.room_owner_id as UserId | null,
  startedBy: r.started_by as UserId | null,
  startedByName: r.started_by_name,
  startedAt: r.started_at,
  endedAt: r.ended_at,
  durationMs: r.duration_ms,
  sizeBytes: r.size_bytes,
  status: r.status,
  error: r.error_code ? { code: r.error_code, message: r.error_message ?? '' } : null,
  file: r.file,
  chatFile: r.chat_file,
})

export interface NewRecording {
  roomId: string
  roomTitle: string
  roomOwnerId: string | null
  startedBy: string | null
  startedByName: string
  startedAt: number
}

export interface RecordingEnd {
  status: Exclude<RecordingStatus, 'recording'>
  endedAt: number
  durationMs: number | null
  sizeBytes: number | null
  error: { code: string; message: string } | null
}

/** Recording ids go into file names and URLs: 96 random bits, URL- and filename-safe. */
const newRecordingId = (): RecordingId => randomBytes(12).toString('base64url') as RecordingId

export function createRecordingsRepository(db: Db) {
  const byId = db.prepare<[string], RecordingRow>('SELECT * FROM recordings WHERE id = ?')
  const all = db.prepare<[], RecordingRow>('SELECT * FROM recordings ORDER BY started_at DESC')
  const visible = db.prepare<[string, string], RecordingRow>(
    'SELECT * FROM recordings WHERE started_by = ? OR room_owner_id = ? ORDER BY started_at DESC',
  )
  const inProgress = db.prepare<[], RecordingRow>("SELECT * FROM recordings WHERE status = 'recording'")
  const olderThan = db.prepare<[number], RecordingRow>("SELECT * FROM recordings WHERE status != 'recording' AND started_at < ?")
  const insert = db.prepare(
    `INSERT INTO recordings (id, room_id, room_title, room_owner_id, started_by, started_by_name, started_at, status, file, chat_file)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'recording', ?, ?)`,
  )
  const finish = db.prepare(
    `UPDATE recordings SET status = ?, ended_at = ?, duration_ms = ?, size_bytes = ?, error_code = ?, error_message = ?
     WHERE id = ?`,
  )
  const remove = db.prepare('DELETE FROM recordings WHERE id = ?')
  const renameStarter = db.prepare('UPDATE recordings SET started_by_name = ? WHERE started_by = ?')

  return {
    get(id: string): Recording | undefined {
      const row = byId.get(id)
      return row && toRecording(row)
    },
    /** listAll: every recording, newest first (owners and admins see these). */
    listAll(): Recording[] {
      return all.all().map(toRecording)
    },
    /** listFor: recordings `userId` made or of rooms they own, newest first. */
    listFor(userId: string): Recording[] {
      return visible.all(userId, userId).map(toRecording)
    },
    /** listInProgress: rows still marked recording (at start: left by a server that died). */
    listInProgress(): Recording[] {
      return inProgress.all().map(toRecording)
    },
    /** listStartedBefore: finished recordings older than `ms` (unix milliseconds), for retention. */
    listStartedBefore(ms: number): Recording[] {
      return olderThan.all(ms).map(toRecording)
    },
    /** anonymiseStarter replaces a deleted user's name on the recordings they started (the files stay). */
    anonymiseStarter(userId: string, label: string): void {
      renameStarter.run(label, userId)
    },
    /** create records a recording that starts now; its files are named after its id. */
    create(r: NewRecording): Recording {
      const id = newRecordingId()
      insert.run(id, r.roomId, r.roomTitle, r.roomOwnerId, r.startedBy, r.startedByName, r.startedAt, `${id}.mp4`, `${id}.chat.txt`)
      return this.get(id)!
    },
    finish(id: RecordingId, end: RecordingEnd): Recording | undefined {
      finish.run(end.status, end.endedAt, end.durationMs, end.sizeBytes, end.error?.code ?? null, end.error?.message ?? null, id)
      return this.get(id)
    },
    delete(id: RecordingId): boolean {
      return remove.run(id).changes === 1
    },
  }
}

export type RecordingsRepository = ReturnType<typeof createRecordingsRepository>
