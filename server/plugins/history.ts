// Meeting history for the app: the recorder that writes it while meetings run, the queries the
// owner's pages read, and retention (privacy.retentionDays), which deletes what is older every day.
import fp from 'fastify-plugin'
import type { Config } from '../../config/schema.ts'
import { SYSTEM_ACTOR } from '../db/audit-repository.ts'
import { createMeetingHistoryRepository, type MeetingHistoryRepository, type RetentionCounts } from '../db/meeting-history-repository.ts'
import { createMeetingStatistics, DAY_MS, type MeetingStatistics } from '../db/meeting-statistics.ts'
import { MeetingRecorder } from '../history/meeting-recorder.ts'

export interface MeetingHistory {
  readonly repository: MeetingHistoryRepository
  readonly statistics: MeetingStatistics
  readonly retentionDays: number
  /**
   * purgeExpired deletes meetings (with participants and chat) that ended more than retentionDays
   * before `now`, and older usage peaks; writes one audit entry when it deleted anything. Returns the counts.
   */
  purgeExpired(now?: number): Promise<RetentionCounts>
}

declare module 'fastify' {
  interface FastifyInstance {
    meetingHistory: MeetingHistory
  }
}

export interface HistoryPluginOptions {
  privacy: Config['privacy']
}

/** The first purge runs this long after start: the server is serving by then, and a restart loop purges at most once a minute. */
const FIRST_PURGE_MS = 60_000

/** msUntilHour: from `now` to the next `hourUtc`:00 UTC (tomorrow's when today's has passed). */
export function msUntilHour(now: number, hourUtc: number): number {
  const today = Math.floor(now / DAY_MS) * DAY_MS + hourUtc * 3_600_000
  return (today > now ? today : today + DAY_MS) - now
}

export default fp<HistoryPluginOptions>(
  async (app, { privacy }) => {
    const log = app.log.child({ component: 'history' })
    const repository = createMeetingHistoryRepository(app.dataLayer)
    const dangling = await repository.endDangling()
    if (dangling > 0) log.warn({ meetings: dangling }, 'meetings left running by the previous server process ended at their last activity')

    const history: MeetingHistory = {
      repository,
      statistics: createMeetingStatistics(app.dataLayer),
      retentionDays: privacy.retentionDays,
      async purgeExpired(now = Date.now()) {
        const cutoff = now - privacy.retentionDays * DAY_MS
        // Invitations name recipients and rooms: meeting records too, kept as long as the history.
        const counts: RetentionCounts = { ...(await repository.purgeBefore(cutoff)), invitations: await app.invitationsRepository.purgeBefore(cutoff) }
        if (counts.meetings + counts.usageDays + counts.invitations > 0) {
          const detail = { ...counts, retentionDays: privacy.retentionDays, before: new Date(cutoff).toISOString() }
          await app.auditRepository.record(SYSTEM_ACTOR, 'retention.purged', undefined, detail, now)
          log.info(detail, 'meeting history past retention deleted')
        }
        return counts
      },
    }

    const recorder = new MeetingRecorder({ registry: app.roomRegistry, repository, log })
    recorder.start()

    let timer: NodeJS.Timeout | undefined
    // The purge in progress, awaited at close so it never writes to a closed database.
    let purging: Promise<void> | undefined
    let closed = false
    const schedule = (delay: number): void => {
      timer = setTimeout(() => {
        purging = history.purgeExpired().then(
          () => {},
          (err: unknown) => log.error({ err: (err as Error).message }, 'meeting history purge failed; retried at the next run'),
        )
        void purging.then(() => {
          if (!closed) schedule(msUntilHour(Date.now(), privacy.purgeHourUtc))
        })
      }, delay)
      timer.unref()
    }
    schedule(FIRST_PURGE_MS)

    app.decorate('meetingHistory', history)
    app.addHook('onClose', async () => {
      closed = true
      clearTimeout(timer)
      await purging
      recorder.stop()
      await recorder.flushed()
    })
  },
  { name: 'history', dependencies: ['database', 'sfu'] },
)
