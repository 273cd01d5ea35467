// Response schemas of rooms and e-mail invitations to them. Requests: schemas.ts and invitation-schemas.ts.
import { Type, type Static } from '@sinclair/typebox'
import { Closed, Millis } from './common-schemas.ts'

export const LobbyMode = Type.Union([Type.Literal('off'), Type.Literal('guests'), Type.Literal('everyone')])
export type LobbyMode = Static<typeof LobbyMode>

/** A room as its creator sees it on the rooms page. */
export const RoomSummary = Type.Object(
  {
    id: Type.String(),
    title: Type.String(),
    createdAt: Millis,
    /** The absolute join link to hand to colleagues and guests. */
    url: Type.String(),
    participants: Type.Integer({ minimum: 0 }),
    lobby: LobbyMode,
    /** The room has a PIN for guests (never shown back, nor its hash). */
    pinSet: Type.Boolean(),
  },
  Closed,
)
export type RoomSummary = Static<typeof RoomSummary>

export const RoomReply = Type.Object({ room: RoomSummary }, Closed)
export type RoomReply = Static<typeof RoomReply>

export const RoomsReply = Type.Object({ rooms: Type.Array(RoomSummary) }, Closed)
export type RoomsReply = Static<typeof RoomsReply>

/** GET /api/rooms/:id, public: what a link's pre-join page needs, to anyone holding the link. */
export const PublicRoom = Type.Object(
  {
    id: Type.String(),
    title: Type.String(),
    /** Guests must enter the room's PIN. */
    pinRequired: Type.Boolean(),
    lobby: LobbyMode,
  },
  Closed,
)
export type PublicRoom = Static<typeof PublicRoom>

export const PublicRoomReply = Type.Object({ room: PublicRoom }, Closed)
export type PublicRoomReply = Static<typeof PublicRoomReply>
