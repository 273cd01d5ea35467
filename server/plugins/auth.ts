// Resolves the session cookie to the signed-in user on every request, and offers the guards routes use.
import fp from 'fastify-plugin'
import cookie from '@fastify/cookie'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Role, User } from '../db/users-repository.ts'
import { sendError } from '../http-errors.ts'

export const SESSION_COOKIE = 'veche_session'

declare module 'fastify' {
  interface FastifyRequest {
    user: User | null
    sessionToken: string | null
  }
  interface FastifyInstance {
    /** preHandler: 401 unless signed in. */
    requireUser: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
    /** preHandler factory: 403 unless the user has one of `roles`. */
    requireRole: (...roles: Role[]) => (request: FastifyRequest, reply: FastifyReply) => Promise<void>
    /**
     * startSession signs `user` in on this reply (sets the cookie), for auth.sessionHours or `maxHours`
     * when that is shorter (a corporate sign-in that must be renewed at the provider).
     */
    startSession: (reply: FastifyReply, user: User, maxHours?: number) => Promise<void>
  }
}

export interface AuthPluginOptions {
  sessionHours: number
}

export default fp<AuthPluginOptions>(
  async (app, { sessionHours }) => {
    await app.register(cookie)
    app.decorateRequest('user', null)
    app.decorateRequest('sessionToken', null)

    app.addHook('onRequest', async (request) => {
      const token = request.cookies[SESSION_COOKIE]
      if (!token) return
      const userId = await app.sessionsRepository.userIdFor(token)
      if (!userId) return
      const user = await app.usersRepository.get(userId)
      // Blocking deletes a user's sessions; this also covers a session created in the same instant.
      if (!user || user.blockedAt !== null) return
      request.user = user
      request.sessionToken = token
    })

    app.decorate('startSession', async (reply: FastifyReply, user: User, maxHours?: number) => {
      const ttlMs = Math.min(sessionHours, maxHours ?? sessionHours) * 60 * 60 * 1000
      const { token } = await app.sessionsRepository.create(user.id, ttlMs)
      reply.setCookie(SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        secure: true,
        sameSite: 'lax',
        maxAge: Math.floor(ttlMs / 1000),
      })
    })

    app.decorate('requireUser', async (request: FastifyRequest, reply: FastifyReply) => {
      if (!request.user) return void sendError(reply, 401, 'unauthenticated', 'sign in first (your session may have expired)')
    })

    app.decorate('requireRole', (...roles: Role[]) => async (request: FastifyRequest, reply: FastifyReply) => {
      if (!request.user) return void sendError(reply, 401, 'unauthenticated', 'sign in first (your session may have expired)')
      if (!roles.includes(request.user.role)) return void sendError(reply, 403, 'forbidden', `only ${roles.join(' or ')} may do this`)
    })
  },
  { name: 'auth', dependencies: ['database'] },
)
