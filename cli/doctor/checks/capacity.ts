// How many people in meetings this machine carries: a short SRTP load through a real media worker on
// loopback (cli/doctor/capacity/probe.ts), and the media.peersPerWorker that fits it. It loads a core
// for up to a minute, so it runs only when named: `veche doctor --run capacity`.
import { availableParallelism } from 'node:os'
import type { Check } from '../check.ts'
import { meetingsPerWorker, PLANNED_LOAD, probeCapacity, type ProbeOptions } from '../capacity/probe.ts'

/** Meeting sizes the report gives simultaneous participants for. */
const SIZES = [2, 4, 8, 16]

/** createCapacityCheck builds the check; tests pass a tiny probe (sizes, time). */
export function createCapacityCheck(probe: ProbeOptions = {}): Check {
  return {
    name: 'capacity',
    title: 'Media capacity',
    onlyWhenNamed: true,
    async run(ctx) {
      const media = ctx.config().media
      const workers = media.workers === 0 ? availableParallelism() : media.workers
      const say = probe.progress ?? ((line: string) => void process.stderr.write(`capacity: ${line}\n`))
      say(`SRTP meetings on one media worker, growing until it is busy (under a minute; run it when no meeting is on)`)
      const r = await probeCapacity({ ...probe, progress: say })
      const per = (size: number): string => {
        const n = meetingsPerWorker(size, r.packetsPerWorker) * size
        return `${size}: ${n} per worker, ${n * workers} on ${workers}`
      }
      const summary =
        `one worker carries a ${r.roomPerWorker}-person all-see-all meeting in SRTP (${r.suite}, 720p top layer, ` +
        `${Math.round(PLANNED_LOAD * 100)}% of a core: ${Math.round(r.packetsPerWorker / 1000)}k packets/s at ${r.usPerPacket.toFixed(2)} us/packet); ` +
        `simultaneous participants in meetings of ${SIZES.map(per).join('; ')}; ` +
        `media.peersPerWorker would be ${r.roomPerWorker} (set: ${media.peersPerWorker})`
      say(summary)
      if (media.peersPerWorker > r.roomPerWorker) {
        return {
          status: 'warning',
          message: `${summary}: a meeting spreads onto a second worker only after ${media.peersPerWorker} people, more than one worker here carries; set media.peersPerWorker: ${r.roomPerWorker} in the config file`,
        }
      }
      return { status: 'ok', message: summary }
    },
  }
}

export const capacityCheck = createCapacityCheck()
