// Workspace owners and admins manage internal users: add, change role, block, reset password, delete;
// owners read the audit log of all of it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { hashPassword, weakPassword, WEAK_PASSWORD_MESSAGE } from '../auth/passwords.ts'
import { runInSyncTransaction } from '../db/engine.ts'
import { EmailTakenError, type Role, type User } from '../db/users-repository.ts'
import { sendError } from '../http-errors.ts'
import { refuseNewUser } from '../license/policy.ts'
import { eraseUser } from '../privacy/erase-user.ts'
import { disconnectUser } from '../sfu/disconnect-user.ts'
import { NewUserBody } from './schemas.ts'
import { activeOwners, refuseAdminAction, type AdminAction } from './user-admin-rules.ts'
import { AuditQuery, PasswordBody, RoleBody, UserParams } from './user-admin-schemas.ts'

const target = (user: User) => ({ id: user.id, name: user.displayName })

export default async function usersRoutes(app: FastifyInstance): Promise<void> {
  const managers = app.requireRole('owner', 'admin')
  const owners = app.requireRole('owner')

  /**
   * allowed returns the user the request acts on when the caller may apply `action` to them; otherwise
   * it has sent the refusal (404, 403, 409) and returns undefined. Checked again after any await.
   */
  const allowed = (request: FastifyRequest<{ Params: UserParams }>, reply: FastifyReply, action: AdminAction, newRole?: Role): User | undefined => {
    const user = app.usersRepository.get(request.params.id)
    if (!user) {
      sendError(reply, 404, 'user_not_found', `no user ${request.params.id}: it may have been deleted; reload the list`)
      return undefined
    }
    const refused = refuseAdminAction(request.user!, user, action, activeOwners(app.usersRepository.list()), newRole)
    if (refused) {
      sendError(reply, refused.status, refused.code, refused.message)
      return undefined
    }
    return user
  }

  app.get('/api/users', { preHandler: managers }, async () => ({ users: app.usersRepository.list() }))

  app.post<{ Body: NewUserBody }>('/api/users', { preHandler: managers, schema: { body: NewUserBody } }, async (request, reply) => {
    const { email, displayName, password, role } = request.body
    if (weakPassword(password)) return sendError(reply, 400, 'weak_password', WEAK_PASSWORD_MESSAGE)
    const refused = refuseNewUser(app.license.state, app.usersRepository.count())
    if (refused) return sendError(reply, 403, refused.code, refused.message)
    try {
      const user = app.usersRepository.create({ email, displayName, role, passwordHash: await hashPassword(password) })
      await app.auditRepository.record(request.user!, 'user.created', target(user), { role: user.role })
      request.log.info({ user: user.id, by: request.user?.id }, 'user created')
      return reply.code(201).send({ user })
    } catch (err) {
      if (err instanceof EmailTakenError) return sendError(reply, 409, 'email_taken', err.message)
      throw err
    }
  })

  app.patch<{ Params: UserParams; Body: RoleBody }>(
    '/api/users/:id',
    { preHandler: managers, schema: { params: UserParams, body: RoleBody } },
    async (request, reply) => {
      const { role } = request.body
      const user = allowed(request, reply, 'role', role)
      if (!user) return reply
      if (user.role === role) return { user }
      app.db.transaction(() => {
        app.usersRepository.setRole(user.id, role)
        runInSyncTransaction(app.db, app.auditRepository.queries.record(request.user!, 'user.role_changed', target(user), { from: user.role, to: role }))
      })()
      request.log.info({ user: user.id, from: user.role, to: role, by: request.user!.id }, 'user role changed')
      return { user: app.usersRepository.get(user.id) }
    },
  )

  app.post<{ Params: UserParams }>('/api/users/:id/block', { preHandler: managers, schema: { params: UserParams } }, async (request, reply) => {
    const user = allowed(request, reply, 'block')
    if (!user) return reply
    if (user.blockedAt !== null) return { user }
    const sessions = app.db.transaction(() => {
      app.usersRepository.setBlocked(user.id, true)
      runInSyncTransaction(app.db, app.auditRepository.queries.record(request.user!, 'user.blocked', target(user)))
      return app.sessionsRepository.deleteForUser(user.id)
    })()
    const connections = disconnectUser(app.roomRegistry, user.id)
    request.log.info({ user: user.id, by: request.user!.id, sessions, connections }, 'user blocked')
    return { user: app.usersRepository.get(user.id) }
  })

  app.post<{ Params: UserParams }>('/api/users/:id/unblock', { preHandler: managers, schema: { params: UserParams } }, async (request, reply) => {
    const user = allowed(request, reply, 'unblock')
    if (!user) return reply
    if (user.blockedAt === null) return { user }
    app.db.transaction(() => {
      app.usersRepository.setBlocked(user.id, false)
      runInSyncTransaction(app.db, app.auditRepository.queries.record(request.user!, 'user.unblocked', target(user)))
    })()
    request.log.info({ user: user.id, by: request.user!.id }, 'user unblocked')
    return { user: app.usersRepository.get(user.id) }
  })

  app.post<{ Params: UserParams; Body: PasswordBody }>(
    '/api/users/:id/password',
    { preHandler: managers, schema: { params: UserParams, body: PasswordBody } },
    async (request, reply) => {
      if (!allowed(request, reply, 'password')) return reply
      if (weakPassword(request.body.password)) return sendError(reply, 400, 'weak_password', WEAK_PASSWORD_MESSAGE)
      const hash = await hashPassword(request.body.password)
      // Hashing yields to other requests: the user may have been deleted or changed meanwhile.
      const user = allowed(request, reply, 'password')
      if (!user) return reply
      const sessions = app.db.transaction(() => {
        app.usersRepository.setPasswordHash(user.id, hash)
        app.usersRepository.clearFailedSignIns(user.id)
        runInSyncTransaction(app.db, app.auditRepository.queries.record(request.user!, 'user.password_reset', target(user)))
        return app.sessionsRepository.deleteForUser(user.id)
      })()
      request.log.info({ user: user.id, by: request.user!.id, sessions }, 'user password reset')
      return { user }
    },
  )

  app.delete<{ Params: UserParams }>('/api/users/:id', { preHandler: managers, schema: { params: UserParams } }, async (request, reply) => {
    const user = allowed(request, reply, 'delete')
    if (!user) return reply
    eraseUser(app, user.id, request.user!)
    request.log.info({ user: user.id, by: request.user!.id }, 'user deleted and anonymised')
    return reply.code(204).send()
  })

  app.get<{ Querystring: AuditQuery }>('/api/audit', { preHandler: owners, schema: { querystring: AuditQuery } }, async (request) =>
    app.auditRepository.list({ ...(request.query.before === undefined ? {} : { before: request.query.before }), limit: request.query.limit ?? 50 }),
  )
}
