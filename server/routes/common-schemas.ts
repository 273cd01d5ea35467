// Parts every REST response schema shares: closed objects, nullable fields, and the one error shape.
// A leaf of the wire contract: the browser client imports these files as types only.
import { Type, type Static, type TSchema } from '@sinclair/typebox'

/** Every answer object names all its fields: Fastify's serializer then drops anything else a handler returns. */
export const Closed = { additionalProperties: false } as const

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

/** Unix milliseconds. */
export const Millis = Type.Integer({ minimum: 0 })

/** The body of every 4xx and 5xx answer (server/http-errors.ts sends it): a stable code the client translates. */
export const ErrorReply = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }, Closed) }, Closed)
export type ErrorReply = Static<typeof ErrorReply>

/** An answer without a body: 204 No Content, or a redirect. */
export const NoBody = Type.Null()

/**
 * replies is a route's `response` schemas: its own answers by status code, and the error shape for every
 * other 4xx and 5xx (an explicit code, as /readyz's 503, wins over the class).
 */
export const replies = <S extends Record<number, TSchema>>(answers: S) => ({ '4xx': ErrorReply, '5xx': ErrorReply, ...answers })
