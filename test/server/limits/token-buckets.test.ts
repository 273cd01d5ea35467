import t from 'tap'
import { TokenBuckets } from '../../../server/limits/token-buckets.ts'

t.test('a bucket spends its points, refuses with the wait, and refills with time', async (t) => {
  const buckets = new TokenBuckets(60) // one point per second
  for (let i = 0; i < 6; i++) t.ok(buckets.take('a', 10, 0).allowed, `request ${i + 1} of 6 passes`)
  const refused = buckets.take('a', 10, 0)
  t.same(refused, { allowed: false, retryAfterSeconds: 10 }, 'the wait is the time ten points take to refill')
  t.ok(buckets.take('b', 10, 0).allowed, 'another key has its own budget')
  t.notOk(buckets.take('a', 10, 9_000).allowed, 'still short after 9 s')
  t.ok(buckets.take('a', 10, 10_000).allowed, 'passes once refilled')
  t.same(buckets.take('c', 1000, 0), { allowed: false, retryAfterSeconds: 1 }, 'a cost above capacity waits for a full bucket, not for ever')
})

t.test('memory stays bounded when many keys come and go', async (t) => {
  const buckets = new TokenBuckets(60, 100)
  for (let i = 0; i < 1000; i++) buckets.take(`ip-${i}`, 1, i)
  t.ok(buckets.size <= 100, `at most 100 buckets kept (kept ${buckets.size})`)
  t.notOk(buckets.take('hot', 60, 5000).allowed === false, 'a new key still gets a full budget')
})
