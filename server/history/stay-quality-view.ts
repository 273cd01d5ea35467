// A stay's connection quality as the history's REST answer shows it (GET /api/meetings/:id).
import { Type, type Static } from '@sinclair/typebox'
import type { StayQuality } from '../db/meeting-history-repository.ts'

const Ms = Type.Integer({ minimum: 0 })
const NullableMs = Type.Union([Ms, Type.Null()])
const Level = Type.Union([Type.Literal('good'), Type.Literal('fair'), Type.Literal('poor')])

/** null while the stay runs and for stays recorded before quality was (0008). */
export const StayQualityView = Type.Union([
  Type.Object(
    {
      /** What the participant's browser rated its own connection, in ms at each level (null: it never reported). */
      goodMs: NullableMs,
      fairMs: NullableMs,
      poorMs: NullableMs,
      /** The worst level the browser reported for any time; null: no report. */
      worst: Type.Union([Level, Type.Null()]),
      /** The server sent less video than asked for (a smaller picture or fewer frames) for the downlink. */
      videoLoweredMs: Ms,
      /** The server sent audio only: not even the smallest picture fitted the downlink. */
      audioOnlyMs: Ms,
    },
    { additionalProperties: false },
  ),
  Type.Null(),
])
export type StayQualityView = Static<typeof StayQualityView>

/** stayQualityView turns the stored summary into the answer's, with the worst level reported. */
export function stayQualityView(q: StayQuality | null): StayQualityView {
  if (!q) return null
  const worst = q.goodMs === null ? null : (q.poorMs ?? 0) > 0 ? 'poor' : (q.fairMs ?? 0) > 0 ? 'fair' : 'good'
  return { goodMs: q.goodMs, fairMs: q.fairMs, poorMs: q.poorMs, worst, videoLoweredMs: q.videoLoweredMs, audioOnlyMs: q.audioOnlyMs }
}
