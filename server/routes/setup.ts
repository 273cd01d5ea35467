// First run: creates the workspace owner, and only while there is none.
import type { FastifyInstance } from 'fastify'
import { hashPassword, weakPassword, WEAK_PASSWORD_MESSAGE } from '../auth/passwords.ts'
import { sendError } from '../http-errors.ts'
import { createFirstOwner } from '../services/users.ts'
import { replies } from './common-schemas.ts'
import { NewOwnerBody } from './schemas.ts'
import { SetupStatusReply, UserReply } from './user-schemas.ts'

export default async function setupRoutes(app: FastifyInstance): Promise<void> {
  app.get('/api/setup/status', { schema: { response: replies({ 200: SetupStatusReply }) } }, async () => ({ needsOwner: !(await app.usersRepository.hasOwner()) }))

  app.post<{ Body: NewOwnerBody }>('/api/setup/owner', { schema: { body: NewOwnerBody, response: replies({ 201: UserReply }) } }, async (request, reply) => {
    const ownerExists = (): FastifyReplyLike =>
      sendError(reply, 409, 'owner_exists', 'the workspace already has an owner: sign in instead')
    if (await app.usersRepository.hasOwner()) return ownerExists()
    const { email, displayName, password } = request.body
    if (weakPassword(password)) return sendError(reply, 400, 'weak_password', WEAK_PASSWORD_MESSAGE)
    const passwordHash = await hashPassword(password)
    // Checked again inside the write: two first-run forms submitted at once must not make two owners.
    const user = await createFirstOwner(app, { email, displayName, passwordHash })
    if (!user) return ownerExists()
    request.log.info({ user: user.id }, 'workspace owner created')
    await app.startSession(reply, user)
    return reply.code(201).send({ user })
  })
}

type FastifyReplyLike = ReturnType<typeof sendError>
