// When the daily retention job runs next.
import t from 'tap'
import { msUntilHour } from '../../../server/plugins/history.ts'

const HOUR = 3_600_000
const at = (iso: string): number => Date.parse(iso)

t.test('msUntilHour: today when the hour is still ahead, tomorrow otherwise', async (t) => {
  t.equal(msUntilHour(at('2026-03-10T01:30:00Z'), 3), 1.5 * HOUR)
  t.equal(msUntilHour(at('2026-03-10T03:00:00Z'), 3), 24 * HOUR, 'exactly at the hour: the next day')
  t.equal(msUntilHour(at('2026-03-10T22:00:00Z'), 3), 5 * HOUR)
  t.equal(msUntilHour(at('2026-03-10T22:00:00Z'), 0), 2 * HOUR)
})
