// What a recording shows and lets you hear, decided without any media.
import t from 'tap'
import { assignAudio, chooseVideo, type SourceInfo } from '../../../server/recording/director.ts'

let order = 0
const src = (id: string, peerId: string, source: SourceInfo['source'], paused = false): SourceInfo => ({
  id,
  peerId,
  source,
  kind: source === 'mic' ? 'audio' : 'video',
  paused,
  order: order++,
})

t.test('the picture: a shared screen, else the latest speaker’s camera, else the first camera', async (t) => {
  const camA = src('ca', 'a', 'camera')
  const camB = src('cb', 'b', 'camera')
  const micB = src('mb', 'b', 'mic')
  t.equal(chooseVideo([micB], []), undefined, 'nobody has a camera: the placeholder')
  t.equal(chooseVideo([camA, camB, micB], []), camA, 'nobody spoke yet: the first camera')
  t.equal(chooseVideo([camA, camB], ['b', 'a']), camB, 'the latest speaker')
  t.equal(chooseVideo([camA, { ...camB, paused: true }], ['b', 'a']), camA, 'a paused camera is skipped')
  const camC = src('cc', 'c', 'camera')
  t.equal(chooseVideo([camA, camC], ['z', 'c']), camC, 'a speaker without a camera is passed over')
  const screen = src('sa', 'a', 'screen')
  t.equal(chooseVideo([camA, camB, screen], ['b']), screen, 'a shared screen beats every camera')
})

t.test('the mix: slots kept, filled in order, the latest speaker replaces the longest silent', async (t) => {
  const a = src('a', 'pa', 'mic')
  const b = src('b', 'pb', 'mic')
  const c = src('c', 'pc', 'mic')
  t.same(assignAudio([null, null], [a], []), ['a', null])
  t.same(assignAudio(['a', null], [a, b, c], []), ['a', 'b'], 'a third mic waits for a slot')
  t.same(assignAudio(['a', 'b'], [a, b, c], ['pc', 'pa']), ['a', 'c'], 'until its owner speaks: b, silent longest, gives way')
  t.same(assignAudio(['a', 'c'], [b, c], ['pc', 'pa']), ['b', 'c'], 'a mic that left frees its slot')
})
