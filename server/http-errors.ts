// One shape for every REST error: `{ error: { code, message } }` with a stable code the client translates.
// Every route's response schema names it for its 4xx and 5xx answers (routes/common-schemas.ts).
import type { FastifyReply } from 'fastify'
import type { ErrorReply } from './routes/common-schemas.ts'

export function sendError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send({ error: { code, message } } satisfies ErrorReply)
}
