// Sign-in, sign-out and "who am I" for employees.
import type { FastifyInstance } from 'fastify'
import { DUMMY_HASH, verifyPassword } from '../auth/passwords.ts'
import { sendError } from '../http-errors.ts'
import { SESSION_COOKIE } from '../plugins/auth.ts'
import { SignInBody } from './schemas.ts'

export default async function authRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: SignInBody }>('/api/auth/signin', { schema: { body: SignInBody } }, async (request, reply) => {
    const found = app.usersRepository.findForSignIn(request.body.email)
    // An unknown e-mail costs the same hashing time, so timing does not reveal which e-mails exist.
    const ok = await verifyPassword(request.body.password, found?.passwordHash ?? DUMMY_HASH)
    if (!found || !ok) {
      request.log.info({ email: request.body.email }, 'sign-in refused')
      return sendError(reply, 401, 'invalid_credentials', 'wrong e-mail or password')
    }
    app.startSession(reply, found.user)
    return { user: found.user }
  })

  app.post('/api/auth/signout', async (request, reply) => {
    if (request.sessionToken) app.sessionsRepository.delete(request.sessionToken)
    reply.clearCookie(SESSION_COOKIE, { path: '/' })
    return reply.code(204).send()
  })

  app.get('/api/auth/me', { preHandler: app.requireUser }, async (request) => ({ user: request.user }))
}
