// Starts the media workers and the live-room registry for the app, and stops them when it closes.
import fp from 'fastify-plugin'
import { availableParallelism } from 'node:os'
import type { Config } from '../../config/schema.ts'
import { detectAnnouncedAddress } from '../network.ts'
import { RoomRegistry } from '../sfu/room-registry.ts'
import { WorkerPool } from '../sfu/worker-pool.ts'

declare module 'fastify' {
  interface FastifyInstance {
    workerPool: WorkerPool
    roomRegistry: RoomRegistry
  }
}

export interface SfuPluginOptions {
  media: Config['media']
  rooms: Config['rooms']
}

export default fp<SfuPluginOptions>(
  async (app, { media, rooms }) => {
    const log = app.log.child({ component: 'sfu' })
    const announcedAddress = media.announcedAddress || detectAnnouncedAddress()
    const pool = await WorkerPool.create(
      {
        count: media.workers || availableParallelism(),
        logLevel: media.workerLogLevel,
        listenIp: media.listenIp,
        announcedAddress,
        basePort: media.port,
      },
      log,
    )
    log.info({ workers: pool.size, announcedAddress, port: media.port }, 'media ready')
    const registry = new RoomRegistry(
      pool,
      {
        chatHistory: rooms.chatHistory,
        maxIncomingBitrate: media.maxIncomingBitrate,
        peersPerWorker: media.peersPerWorker,
        plainTransports: media.plainTransports ? { listenIp: media.listenIp, announcedIp: announcedAddress } : undefined,
      },
      log,
    )
    app.decorate('workerPool', pool)
    app.decorate('roomRegistry', registry)
    app.addHook('preClose', async () => registry.closeAll('shutdown'))
    app.addHook('onClose', async () => pool.close())
  },
  { name: 'sfu' },
)
