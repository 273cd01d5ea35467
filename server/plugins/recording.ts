// Recording and live streaming for the app: the recordings table, the capture service (ffmpeg jobs,
// limits, disk guard, retention), and a shutdown that closes every recording's file first.
import fp from 'fastify-plugin'
import { join } from 'node:path'
import type { Config } from '../../config/schema.ts'
import { createRecordingsRepository, type RecordingsRepository } from '../db/recordings-repository.ts'
import { refuseFeature } from '../license/policy.ts'
import { CaptureService } from '../recording/capture-service.ts'

declare module 'fastify' {
  interface FastifyInstance {
    recordingsRepository: RecordingsRepository
    capture: CaptureService
  }
}

export interface RecordingPluginOptions {
  dataDir: string
  recording: Config['recording']
  streaming: Config['streaming']
}

export default fp<RecordingPluginOptions>(
  async (app, { dataDir, recording, streaming }) => {
    const repository = createRecordingsRepository(app.dataLayer)
    const capture = new CaptureService({
      dir: join(dataDir, 'recordings'),
      recording,
      streaming,
      repository,
      lookupRoom: (id) => app.roomsRepository.get(id),
      refuseFeature: (feature) => refuseFeature(app.license.state, feature),
      log: app.log.child({ component: 'recording' }),
    })
    await capture.start()
    app.decorate('recordingsRepository', repository)
    app.decorate('capture', capture)
    // Before the rooms close: each recording gets its trailer written while its media still flows.
    app.addHook('preClose', async () => capture.close())
  },
  { name: 'recording', dependencies: ['database', 'license', 'sfu'] },
)
