// Request and response schemas of the owner's meeting history and usage statistics. Times are Unix
// milliseconds; days are 'YYYY-MM-DD' in UTC.
import { Type, type Static } from '@sinclair/typebox'
import { Closed, Millis, Nullable } from './common-schemas.ts'
import { StayQualityView } from '../history/stay-quality-view.ts'

const Range = {
  from: Type.Optional(Type.String({ maxLength: 40 })),
  to: Type.Optional(Type.String({ maxLength: 40 })),
}
export const ListQuery = Type.Object(
  {
    ...Range,
    before: Type.Optional(Type.Integer({ minimum: 1 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  },
  Closed,
)
export type ListQuery = Static<typeof ListQuery>
export const RangeQuery = Type.Object(Range, Closed)
export type RangeQuery = Static<typeof RangeQuery>
export const MeetingParams = Type.Object({ id: Type.Integer({ minimum: 1 }) })
export type MeetingParams = Static<typeof MeetingParams>

/** One meeting that ran on this server. */
export const MeetingRecord = Type.Object(
  {
    id: Type.Integer(),
    roomId: Type.String(),
    roomTitle: Type.String(),
    startedAt: Millis,
    /** null while it runs. */
    endedAt: Nullable(Millis),
    durationMs: Type.Integer(),
    /** People who took part (someone who came back counts once). */
    participants: Type.Integer({ minimum: 0 }),
  },
  Closed,
)
export type MeetingRecord = Static<typeof MeetingRecord>

export const MeetingsPage = Type.Object(
  { meetings: Type.Array(MeetingRecord), next: Nullable(Type.Integer()), retentionDays: Type.Integer() },
  Closed,
)
export type MeetingsPage = Static<typeof MeetingsPage>

/** One stay of one person in a meeting, with where they connected from. */
export const MeetingStay = Type.Object(
  {
    id: Type.Integer(),
    userId: Nullable(Type.String()),
    displayName: Type.String(),
    kind: Type.Union([Type.Literal('internal'), Type.Literal('guest')]),
    joinedAt: Millis,
    leftAt: Nullable(Millis),
    durationMs: Type.Integer(),
    browser: Nullable(Type.String()),
    os: Nullable(Type.String()),
    userAgent: Nullable(Type.String()),
    address: Nullable(Type.String()),
    viaProxy: Type.Boolean(),
    forwardedFor: Nullable(Type.String()),
    /** The stay's connection quality (issue 17); null while it runs and for stays from before 0008. */
    quality: StayQualityView,
  },
  Closed,
)
export type MeetingStay = Static<typeof MeetingStay>

export const MeetingChatLine = Type.Object(
  { participantId: Nullable(Type.Integer()), senderName: Type.String(), text: Type.String(), sentAt: Millis },
  Closed,
)
export type MeetingChatLine = Static<typeof MeetingChatLine>

export const MeetingDetail = Type.Object(
  { meeting: MeetingRecord, participants: Type.Array(MeetingStay), chat: Type.Array(MeetingChatLine) },
  Closed,
)
export type MeetingDetail = Static<typeof MeetingDetail>

const dayFigures = {
  meetings: Type.Integer({ minimum: 0 }),
  /** Minutes people spent in meetings (a stay across midnight counts on both days). */
  participantMinutes: Type.Integer({ minimum: 0 }),
  peakRooms: Type.Integer({ minimum: 0 }),
  peakParticipants: Type.Integer({ minimum: 0 }),
  peakMeetingParticipants: Type.Integer({ minimum: 0 }),
}

/** GET /api/statistics: one UTC day. */
export const UsageDay = Type.Object({ day: Type.String(), ...dayFigures }, Closed)
export type UsageDay = Static<typeof UsageDay>

export const UsageStatistics = Type.Object(
  {
    from: Type.String(),
    /** The last day included. */
    to: Type.String(),
    days: Type.Array(UsageDay),
    totals: Type.Object(dayFigures, Closed),
    /** What the license allows at once; null without a license. */
    limits: Nullable(Type.Object({ rooms: Type.Integer(), participantsPerRoom: Type.Integer() }, Closed)),
  },
  Closed,
)
export type UsageStatistics = Static<typeof UsageStatistics>
