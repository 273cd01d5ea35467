// Owns sending e-mail invitations: checks the recipients and the daily limits before anything goes
// out, sends one message per recipient (nobody sees the other addresses), and records every outcome.
import { randomUUID } from 'node:crypto'
import type { InvitationOutcome, InvitationsRepository } from '../db/invitations-repository.ts'
import type { UserId } from '../db/users-repository.ts'
import { checkRecipients, normalizeAddress } from './addresses.ts'
import { buildIcs } from './ics.ts'
import { composeInvitation, oneLine, senderLabel, type MailLang } from './invitation-message.ts'
import { connectionLevel, describeSmtpError, mailSetup, type MailConfig, type SmtpError } from './transport.ts'

const DAY_MS = 24 * 60 * 60 * 1000
export const DEFAULT_DURATION_MINUTES = 60

export type LimitReason = 'user_daily_limit' | 'workspace_daily_limit'

/** InvitationError is a refusal with the HTTP status and stable code the route answers with. */
export class InvitationError extends Error {
  override name = 'InvitationError'
  readonly status: number
  readonly code: string
  /** For 429: seconds until the limit lets this invitation through; undefined when it never will. */
  readonly retryAfterSeconds: number | undefined
  /** For 429: which limit refused, and how many (distinct) recipients the invitation had. */
  readonly limit: LimitReason | undefined
  readonly recipients: number | undefined
  constructor(
    status: number,
    code: string,
    message: string,
    extra: { retryAfterSeconds?: number | undefined; limit?: LimitReason; recipients?: number } = {},
  ) {
    super(message)
    this.status = status
    this.code = code
    this.retryAfterSeconds = extra.retryAfterSeconds
    this.limit = extra.limit
    this.recipients = extra.recipients
  }
}

export interface InvitationRequest {
  sender: { id: UserId; displayName: string; email: string }
  room: { id: string; title: string }
  /** The room's join link. */
  link: string
  recipients: readonly string[]
  /** ISO 8601 date-time of the meeting; absent: an invitation without a calendar event. */
  scheduledAt?: string | undefined
  durationMinutes?: number | undefined
  message?: string | undefined
  lang?: MailLang | undefined
  /** IANA time zone the times in the text are shown in (the sender's); default UTC. */
  timeZone?: string | undefined
}

export interface RecipientResult {
  recipient: string
  status: InvitationOutcome['status']
  reason?: string
}

export interface InvitationResult {
  sent: number
  results: RecipientResult[]
}

export interface Quota {
  sent: number
  limit: number
  /** When one more recipient may be invited again (ms), or null when one may now. */
  freesAt: number | null
}

export interface Usage {
  user: Quota
  workspace: Quota
  maxRecipients: number
}

export interface InvitationServiceOptions {
  config: MailConfig
  repository: InvitationsRepository
  now?: () => number
}

const validTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

const formatUtc = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`

export function createInvitationService({ config, repository, now = Date.now }: InvitationServiceOptions) {
  const setup = mailSetup(config)
  // Recipients being sent right now: counted against the limits so two invitations at once cannot
  // both squeeze under them.
  const pendingByUser = new Map<UserId, number>()
  let pendingTotal = 0
  // Counting awaits the database: one check-and-reserve at a time, or two invitations at once could
  // both count before either reserves.
  let checking: Promise<unknown> = Promise.resolve()
  const oneAtATime = <T>(work: () => Promise<T>): Promise<T> => {
    const run = checking.then(work, work)
    checking = run.catch(() => {})
    return run
  }

  const reserve = (userId: UserId, n: number): (() => void) => {
    pendingByUser.set(userId, (pendingByUser.get(userId) ?? 0) + n)
    pendingTotal += n
    return () => {
      const left = (pendingByUser.get(userId) ?? n) - n
      if (left > 0) pendingByUser.set(userId, left)
      else pendingByUser.delete(userId)
      pendingTotal -= n
    }
  }

  /** freesAt returns when `needed` more recipients fit under `limit`, given `sent` now; null if never. */
  const freesAt = async (userId: UserId | null, since: number, sent: number, limit: number, needed: number): Promise<number | null> => {
    if (needed > limit) return null
    const excess = sent + needed - limit
    if (excess <= 0) return null
    const at = await repository.nthSentSince(userId, since, excess)
    return at === undefined ? null : at + DAY_MS
  }

  /** counted returns the recipients of the last 24 hours, sent or being sent, for `userId` and for everyone. */
  const counted = async (userId: UserId) => {
    const at = now()
    const since = at - DAY_MS
    const [user, all] = await Promise.all([repository.countSentSince(userId, since), repository.countWorkspaceSentSince(since)])
    // The pending counts are read after the awaits, so they match the rows counted.
    return { at, since, userSent: user + (pendingByUser.get(userId) ?? 0), allSent: all + pendingTotal }
  }

  const usage = async (userId: UserId): Promise<Usage> => {
    const { since, userSent, allSent } = await counted(userId)
    return {
      user: { sent: userSent, limit: config.perUserDaily, freesAt: userSent >= config.perUserDaily ? await freesAt(userId, since, userSent, config.perUserDaily, 1) : null },
      workspace: {
        sent: allSent,
        limit: config.workspaceDaily,
        freesAt: allSent >= config.workspaceDaily ? await freesAt(null, since, allSent, config.workspaceDaily, 1) : null,
      },
      maxRecipients: config.maxRecipients,
    }
  }

  /** unavailable returns why invitations cannot be sent at all (naming the config keys), or null. */
  const unavailable = (): string | null => (setup.ok ? null : setup.message)

  /**
   * checkLimits throws a 429 InvitationError when `n` more recipients would pass the sender's or the
   * workspace's 24-hour limit, saying which one and when it frees up.
   */
  const checkLimits = async (userId: UserId, n: number): Promise<void> => {
    const { at, since, userSent, allSent } = await counted(userId)
    const over: [LimitReason, string, number, number] | null =
      userSent + n > config.perUserDaily
        ? ['user_daily_limit', 'your', userSent, config.perUserDaily]
        : allSent + n > config.workspaceDaily
          ? ['workspace_daily_limit', "the workspace's", allSent, config.workspaceDaily]
          : null
    if (!over) return
    const [limit, whose, sent, max] = over
    const free = await freesAt(limit === 'user_daily_limit' ? userId : null, since, sent, max, n)
    const left = Math.max(max - sent, 0)
    const when =
      n > max
        ? `; one invitation cannot be larger than the limit: send to at most ${max}, or ask the administrator to raise mail.${limit === 'user_daily_limit' ? 'perUserDaily' : 'workspaceDaily'}`
        : free !== null
          ? `; room for ${n} frees up at ${formatUtc(free)}`
          : '; try again later'
    throw new InvitationError(
      429,
      'invitation_limit',
      `${whose} daily invitation limit is ${max} recipients in 24 hours: ${sent} used, ${left} left, this invitation has ${n}${when} (nothing was sent)`,
      { retryAfterSeconds: free === null ? undefined : Math.max(1, Math.ceil((free - at) / 1000)), limit, recipients: n },
    )
  }

  /**
   * send checks everything, then mails each recipient. Throws InvitationError: 503 mail_not_configured,
   * 400 (recipients, time) and 429 invitation_limit before anything is sent or counted; 502 mail_failed
   * when no recipient's message was accepted. Returns each recipient's outcome otherwise.
   */
  const send = async (request: InvitationRequest): Promise<InvitationResult> => {
    if (!setup.ok) throw new InvitationError(503, 'mail_not_configured', setup.message)
    const checked = checkRecipients(request.recipients, config.maxRecipients)
    if (!checked.ok) throw new InvitationError(400, checked.code, checked.message)
    const recipients = checked.recipients

    const lang = request.lang ?? 'en'
    const timeZone = request.timeZone || 'UTC'
    if (!validTimeZone(timeZone)) throw new InvitationError(400, 'bad_request', `unknown time zone "${timeZone}": use an IANA name such as Europe/Moscow`)
    let when: { start: number; durationMinutes: number; timeZone: string } | undefined
    if (request.scheduledAt !== undefined && request.scheduledAt !== '') {
      const start = Date.parse(request.scheduledAt)
      if (!Number.isFinite(start) || !/^\d{4}-\d{2}-\d{2}T/.test(request.scheduledAt)) {
        throw new InvitationError(400, 'bad_request', 'scheduledAt must be an ISO 8601 date and time such as 2026-01-15T09:30:00Z')
      }
      const durationMinutes = request.durationMinutes ?? DEFAULT_DURATION_MINUTES
      if (start + durationMinutes * 60_000 < now()) throw new InvitationError(400, 'meeting_in_past', 'the meeting’s time has already passed: choose a later one')
      when = { start, durationMinutes, timeZone }
    }

    const createdAt = now()
    const record = (outcomes: InvitationOutcome[]) =>
      repository.record({
        roomId: request.room.id,
        senderId: request.sender.id,
        senderName: request.sender.displayName,
        scheduledAt: when?.start ?? null,
        createdAt,
        outcomes,
      })
    let release: () => void
    try {
      release = await oneAtATime(async () => {
        await checkLimits(request.sender.id, recipients.length)
        return reserve(request.sender.id, recipients.length)
      })
    } catch (err) {
      if (!(err instanceof InvitationError)) throw err
      // Kept so the refused addresses can be looked up; 'refused' rows never count against a limit.
      const reason = err.limit ?? 'limit'
      await record(recipients.map((recipient) => ({ recipient, status: 'refused', reason })))
      throw err
    }

    const outcomes: InvitationOutcome[] = []
    try {
      const content = composeInvitation({
        lang,
        senderName: request.sender.displayName,
        roomTitle: request.room.title,
        link: request.link,
        message: request.message,
        when,
      })
      const replyTo = normalizeAddress(request.sender.email)
      const uid = `${randomUUID()}@${setup.from.address.split('@')[1]}`
      const transport = setup.open()
      try {
        for (const [index, recipient] of recipients.entries()) {
          const ics = when
            ? buildIcs({
                uid,
                start: when.start,
                durationMinutes: when.durationMinutes,
                stamp: createdAt,
                summary: oneLine(request.room.title),
                description: content.description,
                url: request.link,
                organizer: { name: oneLine(request.sender.displayName), email: replyTo ?? setup.from.address },
                attendees: [recipient],
              })
            : undefined
          try {
            const info = await transport.sendMail({
              from: { name: senderLabel(lang, request.sender.displayName), address: setup.from.address },
              to: recipient,
              ...(replyTo ? { replyTo: { name: oneLine(request.sender.displayName), address: replyTo } } : {}),
              subject: content.subject,
              text: content.text,
              html: content.html,
              ...(ics ? { icalEvent: { method: 'REQUEST', filename: 'invitation.ics', content: ics } } : {}),
              // Nothing in a message may make the server read a file or fetch a URL.
              disableFileAccess: true,
              disableUrlAccess: true,
            })
            outcomes.push(
              info.accepted.length > 0
                ? { recipient, status: 'sent', sentAt: now() }
                : { recipient, status: 'refused', reason: `the SMTP server refused this address${info.response ? ` (${info.response})` : ''}` },
            )
          } catch (err) {
            const reason = describeSmtpError(err as SmtpError, config)
            if (!connectionLevel(err as SmtpError)) {
              outcomes.push({ recipient, status: 'refused', reason })
              continue
            }
            // The session is gone: the rest would only wait for the same failure.
            for (const rest of recipients.slice(index)) outcomes.push({ recipient: rest, status: 'failed', reason })
            break
          }
        }
      } finally {
        transport.close()
      }
    } finally {
      // Released once recorded: the recipients count as pending until they count as rows.
      await record(outcomes).finally(release)
    }

    const results = outcomes.map(({ recipient, status, reason }): RecipientResult => (reason ? { recipient, status, reason } : { recipient, status }))
    const sent = results.filter((r) => r.status === 'sent').length
    if (sent === 0) throw new InvitationError(502, 'mail_failed', `no invitation was sent: ${results[0]?.reason ?? 'the SMTP server failed'}`)
    return { sent, results }
  }

  return { enabled: setup.ok, unavailable, usage, send }
}

export type InvitationService = ReturnType<typeof createInvitationService>
