// What the meeting shows about connections, from the 2 s quality reports and the server's video limits:
// levels per person smoothed over two reports, and a notice that needs its cause to last before it
// shows and to be gone a while before it hides, the most serious cause first.
import t from 'tap'
import { ConnectionQuality } from '../../../../server/web/src/meeting/connection-quality.ts'
import type { Participant } from '../../../../server/web/src/meeting/roster.ts'
import type { QualityLevel, QualityReport } from '../../../../server/web/src/meeting/quality-watch.ts'
import type { VideoLimit } from '../../../../server/signaling/protocol.ts'

// Only the fields the rating reads; a track is never touched.
const track = {} as MediaStreamTrack

function people(limit: VideoLimit = 'none'): Map<string, Participant> {
  return new Map([
    [
      'anna',
      {
        info: { id: 'anna', displayName: 'Anna', kind: 'internal' },
        media: [
          { consumerId: 'a-cam', kind: 'video', source: 'camera', track, paused: false, limit },
          { consumerId: 'a-mic', kind: 'audio', source: 'mic', track, paused: false },
        ],
      },
    ],
  ])
}

function report(camera: QualityLevel, uplink: QualityLevel = 'good'): QualityReport {
  const q = (level: QualityLevel) => ({ level, loss: 0, jitter: 0, fps: undefined, height: undefined })
  return { byConsumer: new Map([['a-cam', q(camera)], ['a-mic', q('good')]]), uplink }
}

t.test('a person\'s level is the worse of their streams, held for one more report', async (t) => {
  const quality = new ConnectionQuality()
  t.equal(quality.update(report('good'), people()), true, 'the first level is news')
  t.equal(quality.levels.get('anna'), 'good')
  quality.update(report('poor'), people())
  t.equal(quality.levels.get('anna'), 'poor')
  quality.update(report('good'), people())
  t.equal(quality.levels.get('anna'), 'poor', 'one good report does not clear a poor one')
  quality.update(report('good'), people())
  t.equal(quality.levels.get('anna'), 'good')
})

t.test('the server\'s limits show: lowered video is at best fair, audio only is poor', async (t) => {
  const quality = new ConnectionQuality()
  quality.update(report('good'), people('lowered'))
  t.equal(quality.levels.get('anna'), 'fair')
  quality.update(report('good'), people('audioOnly'))
  t.equal(quality.levels.get('anna'), 'poor')
})

t.test('the notice needs its cause twice, jumps to a more serious one, and clears after three clean reports', async (t) => {
  const quality = new ConnectionQuality()
  quality.update(report('good'), people('lowered'))
  t.equal(quality.notice, null, 'one report is not enough')
  quality.update(report('good'), people('lowered'))
  t.equal(quality.notice, 'videoLowered')
  quality.update(report('good'), people('audioOnly'))
  t.equal(quality.notice, 'audioOnly', 'a more serious cause replaces the notice at once')
  quality.update(report('good'), people())
  quality.update(report('good'), people())
  t.equal(quality.notice, 'audioOnly', 'still shown after two clean reports')
  quality.update(report('good'), people())
  t.equal(quality.notice, null)
})

t.test('a poor uplink is told when nothing more serious is', async (t) => {
  const quality = new ConnectionQuality()
  quality.update(report('good', 'poor'), people())
  quality.update(report('good', 'poor'), people())
  t.equal(quality.notice, 'uplinkPoor')
  t.equal(quality.self, 'poor')
  quality.reset()
  t.equal(quality.notice, null)
  t.equal(quality.self, 'good')
})
