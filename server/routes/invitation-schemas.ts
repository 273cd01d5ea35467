// Request and response schemas of e-mail invitations to a room and of the daily limits left.
import { Type, type Static } from '@sinclair/typebox'
import { Closed, Millis, Nullable } from './common-schemas.ts'

export const InvitationBody = Type.Object(
  {
    // Long lists are refused by the service with a message naming the limit, not here.
    recipients: Type.Array(Type.String({ maxLength: 320 }), { minItems: 1, maxItems: 5000 }),
    /** ISO 8601; absent: no calendar event. */
    scheduledAt: Type.Optional(Type.String({ maxLength: 64 })),
    durationMinutes: Type.Optional(Type.Integer({ minimum: 5, maximum: 24 * 60 })),
    message: Type.Optional(Type.String({ maxLength: 2000 })),
    lang: Type.Optional(Type.Union([Type.Literal('en'), Type.Literal('ru')])),
    /** IANA zone the e-mail shows times in. */
    timeZone: Type.Optional(Type.String({ maxLength: 64 })),
  },
  Closed,
)
export type InvitationBody = Static<typeof InvitationBody>

export const InvitationQuota = Type.Object(
  {
    sent: Type.Integer({ minimum: 0 }),
    limit: Type.Integer({ minimum: 0 }),
    /** When one more recipient may be invited; null: now. */
    freesAt: Nullable(Millis),
  },
  Closed,
)
export type InvitationQuota = Static<typeof InvitationQuota>

/** GET /api/invitations/usage: how much of the sender's and the workspace's daily limits is left. */
export const InvitationUsage = Type.Object({ user: InvitationQuota, workspace: InvitationQuota, maxRecipients: Type.Integer() }, Closed)
export type InvitationUsage = Static<typeof InvitationUsage>

export const InvitationResult = Type.Object(
  {
    sent: Type.Integer({ minimum: 0 }),
    results: Type.Array(
      Type.Object(
        {
          recipient: Type.String(),
          status: Type.Union([Type.Literal('sent'), Type.Literal('refused'), Type.Literal('failed')]),
          reason: Type.Optional(Type.String()),
        },
        Closed,
      ),
    ),
  },
  Closed,
)
export type InvitationResult = Static<typeof InvitationResult>
