// Request body schemas shared by the REST routes.
import { Type, type Static } from '@sinclair/typebox'
import { PIN_PATTERN } from '../auth/pins.ts'

export const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' })
export const DisplayName = Type.String({ minLength: 1, maxLength: 64, pattern: '\\S' })
// Length is checked in the handler so a short password gets its own error code.
export const Password = Type.String({ minLength: 1, maxLength: 1024 })

export const SignInBody = Type.Object({ email: Type.String({ maxLength: 254 }), password: Password }, { additionalProperties: false })
export type SignInBody = Static<typeof SignInBody>

export const NewOwnerBody = Type.Object({ email: Email, displayName: DisplayName, password: Password }, { additionalProperties: false })
export type NewOwnerBody = Static<typeof NewOwnerBody>

export const NewUserBody = Type.Object(
  {
    email: Email,
    displayName: DisplayName,
    password: Password,
    role: Type.Union([Type.Literal('admin'), Type.Literal('member')]),
  },
  { additionalProperties: false },
)
export type NewUserBody = Static<typeof NewUserBody>

export const NewRoomBody = Type.Object({ title: Type.String({ minLength: 1, maxLength: 120, pattern: '\\S' }) }, { additionalProperties: false })
export type NewRoomBody = Static<typeof NewRoomBody>

/** PATCH /api/rooms/:id: the room's moderation settings; pin null removes it, absent keeps it. */
export const RoomSettingsBody = Type.Object(
  {
    lobby: Type.Optional(Type.Union([Type.Literal('off'), Type.Literal('guests'), Type.Literal('everyone')])),
    pin: Type.Optional(Type.Union([Type.String({ pattern: PIN_PATTERN }), Type.Null()])),
  },
  { additionalProperties: false },
)
export type RoomSettingsBody = Static<typeof RoomSettingsBody>

export const RoomParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) })
export type RoomParams = Static<typeof RoomParams>

