// Sampled receivers: in a room too big for the generator to read everything the server forwards,
// only a few subscribers per room receive into the counting side (loss, delay); the others receive
// on null ports (null-port.ts), so the server still forwards to every subscriber. Which ones are
// counted is fixed by join order, so runs compare.

/** A count of subscribers per room to count, or 'all'. */
export type ReceiverSample = number | 'all'

/** parseSample reads a --sample-receivers value; throws with the accepted forms. */
export function parseSample(value: string): ReceiverSample {
  if (value === 'all') return 'all'
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new Error(`--sample-receivers: '${value}' is not a whole number of subscribers per room (1 or more) or 'all'`)
  return n
}

/**
 * sampledIndexes returns the join positions (0-based) of the counted subscribers of a room of
 * `participants`: `sample` of them spread evenly over the join order (the middle of each of `sample`
 * equal slices: 5, 15, 25, 35 of 40). Veche homes peers on a worker in join order until
 * peersPerWorker, so with peersPerWorker at half the room both workers' home peers are counted.
 * undefined or 'all' (or a sample as big as the room): everyone.
 */
export function sampledIndexes(participants: number, sample: ReceiverSample | undefined): Set<number> {
  if (sample === undefined || sample === 'all' || sample >= participants) return new Set(Array.from({ length: participants }, (_, i) => i))
  return new Set(Array.from({ length: sample }, (_, j) => Math.floor(((j + 0.5) * participants) / sample)))
}
