// Employees' rooms: create, list, delete; and the public lookup a link's pre-join page makes.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Room } from '../db/rooms-repository.ts'
import { hashPin } from '../auth/pins.ts'
import { sendError } from '../http-errors.ts'
import { refuseMeeting } from '../license/policy.ts'
import { NoBody, replies } from './common-schemas.ts'
import { PublicRoomReply, RoomReply, RoomsReply } from './room-schemas.ts'
import { NewRoomBody, RoomParams, RoomSettingsBody } from './schemas.ts'

export interface RoomsRoutesOptions {
  publicUrl: string
}

export default async function roomsRoutes(app: FastifyInstance, { publicUrl }: RoomsRoutesOptions): Promise<void> {
  const base = (request: FastifyRequest): string => publicUrl.replace(/\/+$/, '') || `https://${request.host}`
  const view = (room: Room, request: FastifyRequest) => ({
    id: room.id,
    title: room.title,
    createdAt: room.createdAt,
    url: `${base(request)}/r/${room.id}`,
    participants: app.roomRegistry.participants(room.id),
    lobby: room.lobby,
    pinSet: room.pinHash !== null,
  })

  app.get('/api/rooms', { preHandler: app.requireUser, schema: { response: replies({ 200: RoomsReply }) } }, async (request) => ({
    rooms: (await app.roomsRepository.listByOwner(request.user!.id)).map((r) => view(r, request)),
  }))

  app.post<{ Body: NewRoomBody }>('/api/rooms', { preHandler: app.requireUser, schema: { body: NewRoomBody, response: replies({ 201: RoomReply }) } }, async (request, reply) => {
    const refused = refuseMeeting(app.license.state)
    if (refused) return sendError(reply, 403, refused.code, refused.message)
    const room = await app.roomsRepository.create(request.user!.id, request.body.title)
    request.log.info({ room: room.id, by: request.user!.id }, 'room created')
    return reply.code(201).send({ room: view(room, request) })
  })

  app.get<{ Params: RoomParams }>('/api/rooms/:id', { schema: { params: RoomParams, response: replies({ 200: PublicRoomReply }) } }, async (request, reply) => {
    const room = await app.roomsRepository.get(request.params.id)
    if (!room) return sendError(reply, 404, 'room_not_found', 'this meeting does not exist or was deleted')
    // What the pre-join page needs: whether to ask a guest for the PIN, whether they will wait.
    return { room: { id: room.id, title: room.title, pinRequired: room.pinHash !== null, lobby: room.lobby } }
  })

  // Only the creator sets these: they decide who gets into their meetings. Applies to the next joins.
  app.patch<{ Params: RoomParams; Body: RoomSettingsBody }>(
    '/api/rooms/:id',
    { preHandler: app.requireUser, schema: { params: RoomParams, body: RoomSettingsBody, response: replies({ 200: RoomReply }) } },
    async (request, reply) => {
      const room = await app.roomsRepository.get(request.params.id)
      if (!room) return sendError(reply, 404, 'room_not_found', 'this meeting does not exist or was deleted')
      if (room.ownerId !== request.user!.id) return sendError(reply, 403, 'forbidden', 'only the room’s creator may change its lobby and PIN')
      const { lobby = room.lobby, pin } = request.body
      const pinHash = pin === undefined ? room.pinHash : pin === null ? null : await hashPin(pin)
      await app.roomsRepository.setModeration(room.id, lobby, pinHash)
      request.log.info({ room: room.id, lobby, pin: pinHash !== null }, 'room settings changed')
      return { room: view((await app.roomsRepository.get(room.id))!, request) }
    },
  )

  app.delete<{ Params: RoomParams }>(
    '/api/rooms/:id',
    { preHandler: app.requireUser, schema: { params: RoomParams, response: replies({ 204: NoBody }) } },
    async (request, reply) => {
      const room = await app.roomsRepository.get(request.params.id)
      if (!room) return sendError(reply, 404, 'room_not_found', 'this meeting does not exist or was deleted')
      const user = request.user!
      if (room.ownerId !== user.id && user.role === 'member') {
        return sendError(reply, 403, 'forbidden', 'only the room’s creator or a workspace admin may delete it')
      }
      await app.roomsRepository.delete(room.id)
      app.roomRegistry.close(room.id, 'deleted')
      request.log.info({ room: room.id, by: user.id }, 'room deleted')
      return reply.code(204).send()
    },
  )
}
