// The signaling WebSocket endpoint of a room.
import type { FastifyInstance } from 'fastify'
import { refuseNewRoom, refuseParticipant } from '../license/policy.ts'
import { serveSignaling } from '../signaling/connection.ts'
import { RoomParams } from './schemas.ts'

export default async function signalingRoutes(app: FastifyInstance): Promise<void> {
  const log = app.log.child({ component: 'signaling' })
  app.get<{ Params: RoomParams }>('/api/rooms/:id/signal', { websocket: true, schema: { params: RoomParams } }, (socket, request) => {
    const user = request.user
    serveSignaling(
      socket,
      {
        roomId: request.params.id,
        user: user ? { id: user.id, displayName: user.displayName } : undefined,
        registry: app.roomRegistry,
        lookupRoom: (id) => app.roomsRepository.get(id),
        capture: app.hasDecorator('capture') ? app.capture : undefined,
        joinCounter: app.opsCounters,
        admission: {
          refuseNewRoom: (live) => refuseNewRoom(app.license.state, live),
          refuseParticipant: (n) => refuseParticipant(app.license.state, n),
        },
      },
      log,
    )
  })
}
