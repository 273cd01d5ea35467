// E-mail invitations to a room: the room's creator sends its link (and a calendar event) to people
// by address; the dialog reads how much of the daily limits is left.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Config } from '../../config/schema.ts'
import { sendError } from '../http-errors.ts'
import { refuseMeeting } from '../license/policy.ts'
import { createInvitationService, InvitationError } from '../mail/invitation-service.ts'
import { RATE_COST } from '../plugins/rate-limit.ts'
import { replies } from './common-schemas.ts'
import { InvitationBody, InvitationResult, InvitationUsage } from './invitation-schemas.ts'
import { RoomParams } from './schemas.ts'

export interface InvitationsRoutesOptions {
  mail: Config['mail']
  publicUrl: string
}

export default async function invitationsRoutes(app: FastifyInstance, { mail, publicUrl }: InvitationsRoutesOptions): Promise<void> {
  const service = createInvitationService({ config: mail, repository: app.invitationsRepository })
  if (mail.smtpHost && !service.enabled) app.log.warn({ problem: service.unavailable() }, 'e-mail invitations are off')
  // The same link the rooms page shows (routes/rooms.ts).
  const base = (request: FastifyRequest): string => publicUrl.replace(/\/+$/, '') || `https://${request.host}`

  app.get('/api/invitations/usage', { preHandler: app.requireUser, schema: { response: replies({ 200: InvitationUsage }) } }, async (request, reply) => {
    const off = service.unavailable()
    if (off) return sendError(reply, 503, 'mail_not_configured', off)
    return await service.usage(request.user!.id)
  })

  app.post<{ Params: RoomParams; Body: InvitationBody }>(
    '/api/rooms/:id/invitations',
    { preHandler: app.requireUser, schema: { params: RoomParams, body: InvitationBody, response: replies({ 200: InvitationResult }) }, config: { rateCost: RATE_COST.invitation } },
    async (request, reply) => {
      const user = request.user!
      const room = await app.roomsRepository.get(request.params.id)
      if (!room) return sendError(reply, 404, 'room_not_found', 'this meeting does not exist or was deleted')
      // As for its lobby and PIN: who is asked in is the creator's decision.
      if (room.ownerId !== user.id) return sendError(reply, 403, 'forbidden', 'only the room’s creator may invite people to it by e-mail')
      // An invitation to a meeting nobody can hold would only mislead its recipients.
      const unlicensed = refuseMeeting(app.license.state)
      if (unlicensed) return sendError(reply, 403, unlicensed.code, unlicensed.message)
      const { recipients, scheduledAt, durationMinutes, message, lang, timeZone } = request.body
      try {
        const result = await service.send({
          sender: user,
          room,
          link: `${base(request)}/r/${room.id}`,
          recipients,
          scheduledAt,
          durationMinutes,
          message,
          lang,
          timeZone,
        })
        const failed = result.results.length - result.sent
        request.log.info({ room: room.id, by: user.id, sent: result.sent, notSent: failed }, 'invitations sent')
        return result
      } catch (err) {
        if (!(err instanceof InvitationError)) throw err
        if (err.limit) {
          await app.auditRepository.record(user, 'invitation.refused', { id: room.id, name: room.title }, { reason: err.limit, recipients: err.recipients })
          request.log.warn({ room: room.id, by: user.id, limit: err.limit }, 'invitation refused: daily limit')
        }
        if (err.status === 502) request.log.warn({ room: room.id, by: user.id, problem: err.message }, 'invitations not sent')
        if (err.retryAfterSeconds !== undefined) reply.header('retry-after', String(err.retryAfterSeconds))
        return sendError(reply, err.status, err.code, err.message)
      }
    },
  )
}
