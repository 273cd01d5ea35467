// Sign-in, sign-out and "who am I" for employees.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Config } from '../../config/schema.ts'
import { signInWithDirectory } from '../auth/directory-sign-in.ts'
import { DUMMY_HASH, verifyPassword } from '../auth/passwords.ts'
import { SignInGuard } from '../auth/sign-in-guard.ts'
import type { User } from '../db/users-repository.ts'
import { sendError } from '../http-errors.ts'
import { SESSION_COOKIE } from '../plugins/auth.ts'
import { RATE_COST } from '../plugins/rate-limit.ts'
import { NoBody, replies } from './common-schemas.ts'
import { SignInBody } from './schemas.ts'
import { UserReply } from './user-schemas.ts'

export interface AuthRoutesOptions {
  limits: Config['limits']
}

export default async function authRoutes(app: FastifyInstance, { limits }: AuthRoutesOptions): Promise<void> {
  const guard = new SignInGuard(app.usersRepository, {
    slowdownAfter: limits.signInSlowdownAfter,
    lockAfter: limits.signInLockAfter,
    lockMinutes: limits.signInLockMinutes,
    addressFailures: limits.signInFailuresPerAddress,
  })

  /** admit signs `user` in after either check (local password or directory) passed. */
  const admit = async (request: FastifyRequest, reply: FastifyReply, user: User) => {
    await guard.succeeded(user.id, request.ip)
    await app.startSession(reply, user)
    return { user }
  }

  app.post<{ Body: SignInBody }>(
    '/api/auth/signin',
    { schema: { body: SignInBody, response: replies({ 200: UserReply }) }, config: { rateCost: RATE_COST.signIn } },
    async (request, reply) => {
      const found = await app.usersRepository.findForSignIn(request.body.email)
      const refusal = guard.refusal(found, request.ip)
      if (refusal) {
        request.log.warn({ email: request.body.email, ip: request.ip, code: refusal.code }, 'sign-in refused before checking')
        reply.header('retry-after', String(refusal.retryAfterSeconds))
        return sendError(reply, 429, refusal.code, refusal.message)
      }
      // Without a local password here (unknown, or a directory user) the directory decides, when there is one.
      if (app.ldapDirectory && !found?.passwordHash) {
        const result = await signInWithDirectory(app, app.ldapDirectory, request.body.email, request.body.password, request.log)
        if ('refused' in result) {
          if (result.refused.status === 401) await sleep(await guard.failed(found, request.ip))
          return sendError(reply, result.refused.status, result.refused.code, result.refused.message)
        }
        return admit(request, reply, result.user)
      }
      // An unknown e-mail costs the same hashing time, so timing does not reveal which e-mails exist.
      const ok = await verifyPassword(request.body.password, found?.passwordHash ?? DUMMY_HASH)
      if (!found || !ok) {
        // Held before answering, so a guesser's next try waits too (failures in a row only).
        await sleep(await guard.failed(found, request.ip))
        request.log.info({ email: request.body.email, ip: request.ip }, 'sign-in refused')
        return sendError(reply, 401, 'invalid_credentials', 'wrong e-mail or password')
      }
      // Told only to someone who knows the password, so blocking reveals nothing to guessers.
      if (found.user.blockedAt !== null) {
        return sendError(reply, 403, 'blocked', 'your account is blocked; ask an administrator')
      }
      return admit(request, reply, found.user)
    },
  )

  app.post('/api/auth/signout', { schema: { response: replies({ 204: NoBody }) } }, async (request, reply) => {
    if (request.sessionToken) await app.sessionsRepository.delete(request.sessionToken)
    reply.clearCookie(SESSION_COOKIE, { path: '/' })
    return reply.code(204).send()
  })

  app.get('/api/auth/me', { preHandler: app.requireUser, schema: { response: replies({ 200: UserReply }) } }, async (request) => ({ user: request.user }))
}
