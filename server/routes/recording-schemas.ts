// Request and response schemas of the recordings page's API.
import { Type, type Static } from '@sinclair/typebox'
import { Closed, Millis, Nullable } from './common-schemas.ts'

export const RecordingParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) })
export type RecordingParams = Static<typeof RecordingParams>

export const FileQuery = Type.Object({ download: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('0')])) })
export type FileQuery = Static<typeof FileQuery>

/** One recorded meeting; its file and chat are fetched from the two URLs. */
export const RecordingSummary = Type.Object(
  {
    id: Type.String(),
    roomTitle: Type.String(),
    /** The display name of who started it. */
    startedBy: Type.String(),
    startedAt: Millis,
    endedAt: Nullable(Millis),
    durationMs: Nullable(Type.Integer({ minimum: 0 })),
    sizeBytes: Nullable(Type.Integer({ minimum: 0 })),
    status: Type.Union([Type.Literal('recording'), Type.Literal('ready'), Type.Literal('partial'), Type.Literal('failed')]),
    error: Nullable(Type.Object({ code: Type.String(), message: Type.String() }, Closed)),
    fileUrl: Type.String(),
    chatUrl: Type.String(),
  },
  Closed,
)
export type RecordingSummary = Static<typeof RecordingSummary>

export const RecordingReply = Type.Object({ recording: RecordingSummary }, Closed)
export type RecordingReply = Static<typeof RecordingReply>

export const RecordingsReply = Type.Object({ recordings: Type.Array(RecordingSummary) }, Closed)
export type RecordingsReply = Static<typeof RecordingsReply>
