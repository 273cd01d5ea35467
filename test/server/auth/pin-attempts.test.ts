import t from 'tap'
import { MAX_FAILURES, PinAttempts, WINDOW_MS } from '../../../server/auth/pin-attempts.ts'

t.test('wrong PIN guesses are limited per meeting, then allowed again after the window', async (t) => {
  let now = 1_000_000
  const attempts = new PinAttempts(() => now)
  for (let i = 0; i < MAX_FAILURES - 1; i++) attempts.fail('room-a')
  t.equal(attempts.blockedForMs('room-a'), 0, 'under the limit')
  attempts.fail('room-a')
  t.equal(attempts.blockedForMs('room-a'), WINDOW_MS, 'the tenth wrong PIN blocks for the window')
  t.equal(attempts.blockedForMs('room-b'), 0, 'other meetings are not affected')
  now += WINDOW_MS / 2
  t.equal(attempts.blockedForMs('room-a'), WINDOW_MS / 2)
  now += WINDOW_MS / 2 + 1
  t.equal(attempts.blockedForMs('room-a'), 0, 'old failures expire')
})
