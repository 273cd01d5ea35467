// The signaling WebSocket endpoint of a room.
import type { FastifyInstance } from 'fastify'
import { clientDetails } from '../history/client-details.ts'
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
        accountActive: user ? async () => (await app.usersRepository.get(user.id))?.blockedAt === null : undefined,
        // For the meeting history: user agent and address of this connection.
        client: clientDetails(request),
        admission: {
          refuseNewRoom: (live) => refuseNewRoom(app.license.state, live),
          refuseParticipant: (n) => refuseParticipant(app.license.state, n),
        },
      },
      log,
    )
  })
}
