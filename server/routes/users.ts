// Workspace owners and admins manage internal users: add, change role, block, reset password, delete;
// owners read the audit log of all of it.
import type { FastifyInstance, FastifyReply } from 'fastify'
import { hashPassword, weakPassword, WEAK_PASSWORD_MESSAGE } from '../auth/passwords.ts'
import { sendError } from '../http-errors.ts'
import { blockUser, changeRole, createUser, deleteUser, mayAct, refused, resetPassword, unblockUser, type Refusal } from '../services/users.ts'
import { NewUserBody } from './schemas.ts'
import { NoBody, replies } from './common-schemas.ts'
import { AuditQuery, PasswordBody, RoleBody, UserParams } from './user-admin-schemas.ts'
import { AuditPage, UserReply, UsersReply } from './user-schemas.ts'

/** refuse answers a refusal of the users service (404, 403, 409). */
const refuse = (reply: FastifyReply, { status, code, message }: Refusal) => sendError(reply, status, code, message)

export default async function usersRoutes(app: FastifyInstance): Promise<void> {
  const managers = app.requireRole('owner', 'admin')
  const owners = app.requireRole('owner')

  app.get('/api/users', { preHandler: managers, schema: { response: replies({ 200: UsersReply }) } }, async () => ({ users: await app.usersRepository.list() }))

  app.post<{ Body: NewUserBody }>('/api/users', { preHandler: managers, schema: { body: NewUserBody, response: replies({ 201: UserReply }) } }, async (request, reply) => {
    const { email, displayName, password, role } = request.body
    if (weakPassword(password)) return sendError(reply, 400, 'weak_password', WEAK_PASSWORD_MESSAGE)
    const done = await createUser(app, request.user!, app.license.state, { email, displayName, role, passwordHash: await hashPassword(password) })
    if (refused(done)) return refuse(reply, done.refused)
    request.log.info({ user: done.user.id, by: request.user!.id }, 'user created')
    return reply.code(201).send({ user: done.user })
  })

  app.patch<{ Params: UserParams; Body: RoleBody }>(
    '/api/users/:id',
    { preHandler: managers, schema: { params: UserParams, body: RoleBody, response: replies({ 200: UserReply }) } },
    async (request, reply) => {
      const { role } = request.body
      const done = await changeRole(app, request.user!, request.params.id, role)
      if (refused(done)) return refuse(reply, done.refused)
      if (done.from !== role) request.log.info({ user: done.user.id, from: done.from, to: role, by: request.user!.id }, 'user role changed')
      return { user: done.user }
    },
  )

  app.post<{ Params: UserParams }>('/api/users/:id/block', { preHandler: managers, schema: { params: UserParams, response: replies({ 200: UserReply }) } }, async (request, reply) => {
    const done = await blockUser(app, request.user!, request.params.id)
    if (refused(done)) return refuse(reply, done.refused)
    const { user, sessions, connections } = done
    request.log.info({ user: user.id, by: request.user!.id, sessions, connections }, 'user blocked')
    return { user }
  })

  app.post<{ Params: UserParams }>('/api/users/:id/unblock', { preHandler: managers, schema: { params: UserParams, response: replies({ 200: UserReply }) } }, async (request, reply) => {
    const done = await unblockUser(app, request.user!, request.params.id)
    if (refused(done)) return refuse(reply, done.refused)
    request.log.info({ user: done.user.id, by: request.user!.id }, 'user unblocked')
    return { user: done.user }
  })

  app.post<{ Params: UserParams; Body: PasswordBody }>(
    '/api/users/:id/password',
    { preHandler: managers, schema: { params: UserParams, body: PasswordBody, response: replies({ 200: UserReply }) } },
    async (request, reply) => {
      // Refused before hashing when it would be anyway; the service checks again in its transaction.
      const may = await mayAct(app, request.user!, request.params.id, 'password')
      if (refused(may)) return refuse(reply, may.refused)
      if (weakPassword(request.body.password)) return sendError(reply, 400, 'weak_password', WEAK_PASSWORD_MESSAGE)
      const done = await resetPassword(app, request.user!, request.params.id, await hashPassword(request.body.password))
      if (refused(done)) return refuse(reply, done.refused)
      request.log.info({ user: done.user.id, by: request.user!.id, sessions: done.sessions }, 'user password reset')
      return { user: done.user }
    },
  )

  app.delete<{ Params: UserParams }>('/api/users/:id', { preHandler: managers, schema: { params: UserParams, response: replies({ 204: NoBody }) } }, async (request, reply) => {
    const done = await deleteUser(app, request.user!, request.params.id)
    if (refused(done)) return refuse(reply, done.refused)
    request.log.info({ user: done.user.id, by: request.user!.id }, 'user deleted and anonymised')
    return reply.code(204).send()
  })

  app.get<{ Querystring: AuditQuery }>('/api/audit', { preHandler: owners, schema: { querystring: AuditQuery, response: replies({ 200: AuditPage }) } }, async (request) =>
    app.auditRepository.list({ ...(request.query.before === undefined ? {} : { before: request.query.before }), limit: request.query.limit ?? 50 }),
  )
}
