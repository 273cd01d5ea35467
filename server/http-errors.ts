// One shape for every REST error: `{ error: { code, message } }` with a stable code the client translates.
import type { FastifyReply } from 'fastify'

export interface ErrorBody {
  error: { code: string; message: string }
}

export function sendError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send({ error: { code, message } } satisfies ErrorBody)
}
