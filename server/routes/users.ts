// Workspace owners and admins manage internal users.
import type { FastifyInstance } from 'fastify'
import { hashPassword } from '../auth/passwords.ts'
import { EmailTakenError } from '../db/users-repository.ts'
import { sendError } from '../http-errors.ts'
import { refuseNewUser } from '../license/policy.ts'
import { NewUserBody, weakPassword, WEAK_PASSWORD_MESSAGE } from './schemas.ts'

export default async function usersRoutes(app: FastifyInstance): Promise<void> {
  const managers = app.requireRole('owner', 'admin')

  app.get('/api/users', { preHandler: managers }, async () => ({ users: app.usersRepository.list() }))

  app.post<{ Body: NewUserBody }>('/api/users', { preHandler: managers, schema: { body: NewUserBody } }, async (request, reply) => {
    const { email, displayName, password, role } = request.body
    if (weakPassword(password)) return sendError(reply, 400, 'weak_password', WEAK_PASSWORD_MESSAGE)
    const refused = refuseNewUser(app.license.state, app.usersRepository.count())
    if (refused) return sendError(reply, 403, refused.code, refused.message)
    try {
      const user = app.usersRepository.create({ email, displayName, role, passwordHash: await hashPassword(password) })
      request.log.info({ user: user.id, by: request.user?.id }, 'user created')
      return reply.code(201).send({ user })
    } catch (err) {
      if (err instanceof EmailTakenError) return sendError(reply, 409, 'email_taken', err.message)
      throw err
    }
  })
}
