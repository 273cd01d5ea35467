// Owns the recordings table: what was recorded, by whom, and how it ended. The files themselves are
// the recording service's (server/recording/). On Kysely (server/db/engine.ts): the same queries on
// SQLite and PostgreSQL.
import type { Selectable } from 'kysely'
import { randomBytes } from 'node:crypto'
import type { DataLayer } from './engine.ts'
import type { RecordingsTable } from './schema.ts'
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

const toRecording = (r: Selectable<RecordingsTable>): Recording => ({
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

export function createRecordingsRepository({ db }: DataLayer) {
  const all = () => db.selectFrom('recordings').selectAll()
  const repository = {
    async get(id: string): Promise<Recording | undefined> {
      const row = await all().where('id', '=', id).executeTakeFirst()
      return row && toRecording(row)
    },
    /** listAll: every recording, newest first (owners and admins see these). */
    async listAll(): Promise<Recording[]> {
      return (await all().orderBy('started_at', 'desc').execute()).map(toRecording)
    },
    /** listFor: recordings `userId` made or of rooms they own, newest first. */
    async listFor(userId: string): Promise<Recording[]> {
      const rows = await all()
        .where((e) => e.or([e('started_by', '=', userId), e('room_owner_id', '=', userId)]))
        .orderBy('started_at', 'desc')
        .execute()
      return rows.map(toRecording)
    },
    /** listInProgress: rows still marked recording (at start: left by a server that died). */
    async listInProgress(): Promise<Recording[]> {
      return (await all().where('status', '=', 'recording').execute()).map(toRecording)
    },
    /** listStartedBefore: finished recordings older than `ms` (unix milliseconds), for retention. */
    async listStartedBefore(ms: number): Promise<Recording[]> {
      return (await all().where('status', '!=', 'recording').where('started_at', '<', ms).execute()).map(toRecording)
    },
    /** anonymiseStarter replaces a deleted user's name on the recordings they started (the files stay). */
    async anonymiseStarter(userId: string, label: string): Promise<void> {
      await db.updateTable('recordings').set({ started_by_name: label }).where('started_by', '=', userId).execute()
    },
    /** create records a recording that starts now; its files are named after its id. */
    async create(r: NewRecording): Promise<Recording> {
      const id = newRecordingId()
      await db
        .insertInto('recordings')
        .values({
          id,
          room_id: r.roomId,
          room_title: r.roomTitle,
          room_owner_id: r.roomOwnerId,
          started_by: r.startedBy,
          started_by_name: r.startedByName,
          started_at: r.startedAt,
          status: 'recording',
          file: `${id}.mp4`,
          chat_file: `${id}.chat.txt`,
        })
        .execute()
      return (await repository.get(id))!
    },
    async finish(id: RecordingId, end: RecordingEnd): Promise<Recording | undefined> {
      await db
        .updateTable('recordings')
        .set({
          status: end.status,
          ended_at: end.endedAt,
          duration_ms: end.durationMs,
          size_bytes: end.sizeBytes,
          error_code: end.error?.code ?? null,
          error_message: end.error?.message ?? null,
        })
        .where('id', '=', id)
        .execute()
      return repository.get(id)
    },
    async delete(id: RecordingId): Promise<boolean> {
      const { numDeletedRows } = await db.deleteFrom('recordings').where('id', '=', id).executeTakeFirst()
      return numDeletedRows === 1n
    },
  }
  return repository
}

export type RecordingsRepository = ReturnType<typeof createRecordingsRepository>
